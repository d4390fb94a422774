// Admin: combine two hook objects (PartnerEvents, TokenEvents, ForwardEvents): the gateway's metrics first,
// then hooks a caller passed in (tests, embedding). Each hook stays optional; missing ones are skipped.

type Hooks = object

export function chainEvents<T extends Hooks>(first: T, second: T | undefined): T {
  if (second === undefined) return first
  const a = first as Record<string, ((...args: unknown[]) => void) | undefined>
  const b = second as Record<string, ((...args: unknown[]) => void) | undefined>
  const out: Record<string, (...args: unknown[]) => void> = {}
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const f = a[key]
    const g = b[key]
    out[key] = (...args) => {
      f?.(...args)
      g?.(...args)
    }
  }
  return out as T
}
