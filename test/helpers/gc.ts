// Test helper: V8's own collector, for tests that something no longer holds an object (issue 11: nothing long-lived
// may hold an answered request). `--expose-gc` is set at run time, so the tests need no special node flags.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** True once every referent is collected; gives pending callbacks a turn between full collections (10 at most). */
export async function collectedAll(refs: ReadonlyArray<WeakRef<object>>): Promise<boolean> {
  for (let i = 0; i < 10 && refs.some((r) => r.deref() !== undefined); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    gc()
  }
  return refs.every((r) => r.deref() === undefined)
}
