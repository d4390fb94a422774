// Admin: children of a labelled metric, cached by label values in nested maps, so the hot path looks up a
// child instead of building a label object per request. Label values come from bounded sets (partner names,
// fixed codes), so the maps stay small. Fixed arity, no closures: a cache hit allocates nothing.

/** Children cached by one, two or three label values; `make` runs once per distinct combination. */
export interface LabelCache<T> {
  get1(a: string): T
  get2(a: string, b: string): T
  get3(a: string, b: string, c: string): T
}

type Level<T> = Map<string, T>

function inner<V>(map: Level<Level<V>>, key: string): Level<V> {
  let next = map.get(key)
  if (next === undefined) {
    next = new Map()
    map.set(key, next)
  }
  return next
}

export function createLabelCache<T>(make: (values: string[]) => T): LabelCache<T> {
  const one: Level<T> = new Map()
  const two: Level<Level<T>> = new Map()
  const three: Level<Level<Level<T>>> = new Map()
  const leaf = (map: Level<T>, key: string, values: () => string[]): T => {
    let child = map.get(key)
    if (child === undefined) {
      child = make(values())
      map.set(key, child)
    }
    return child
  }
  return {
    get1(a) {
      const hit = one.get(a)
      return hit !== undefined ? hit : leaf(one, a, () => [a])
    },
    get2(a, b) {
      const level = inner(two, a)
      const hit = level.get(b)
      return hit !== undefined ? hit : leaf(level, b, () => [a, b])
    },
    get3(a, b, c) {
      const level = inner(inner(three, a), b)
      const hit = level.get(c)
      return hit !== undefined ? hit : leaf(level, c, () => [a, b, c])
    },
  }
}
