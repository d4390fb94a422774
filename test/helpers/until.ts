// Test helper: wait for an outcome the test cannot otherwise await (a server receiving a request, a socket
// closing), checking every `pollMs`, and fail with a message naming it once `limitMs` has passed: a loop
// without a deadline would hang until the runner's timeout and say nothing about what never happened.
export async function until(check: () => boolean | Promise<boolean>, what: string, limitMs = 10_000, pollMs = 5): Promise<void> {
  const deadline = Date.now() + limitMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
}
