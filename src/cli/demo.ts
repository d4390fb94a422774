// `s2s-gateway demo` (what `npm start` runs). TODO(#2): implemented by the core wiring.
export async function runDemo(): Promise<void> {
  throw new Error('demo not implemented yet')
}
