// Config: the loaded configuration is frozen before it is passed down, so no consumer can change it under another.

/** Freeze an object graph of plain objects and arrays in place, and return it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
