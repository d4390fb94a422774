// Bench: the little of autocannon's programmatic API the fallback load generator uses (it ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number
    total: number
    p50: number
    p90: number
    p99: number
    max: number
  }
  interface RequestSpec {
    setupRequest?: (request: { headers?: Record<string, string> } & Record<string, unknown>) => unknown
  }
  interface Options {
    url: string
    connections: number
    duration: number
    requests?: RequestSpec[]
    timeout?: number
  }
  interface Result {
    requests: Histogram
    latency: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
  }
  function autocannon(options: Options, callback: (err: Error | null, result: Result) => void): unknown
  export default autocannon
}
