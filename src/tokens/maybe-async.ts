// Token validation: results that are usually ready at once. The request path stays synchronous when nothing has
// to be waited for (a cache hit, a loaded partner, a signature that verifies, a rejection), so such a request
// costs no promise and no microtask hop; only a key load or a refetch makes it asynchronous (issue 6).

export type MaybePromise<T> = T | Promise<T>

/** Apply `next` now when `value` is ready, or when it settles; a synchronous throw stays synchronous. */
export function andThen<T, U>(value: MaybePromise<T>, next: (ready: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value)
}
