// CLI: the step list `test-partner` prints, like Test-CsExStorageConnectivity: one PASS/FAIL/SKIP line per step
// with its reason, indented detail lines under it, and a summary. SKIP never fails the run by itself.
import { writeLine, type Writer } from './io.js'

export type StepStatus = 'pass' | 'fail' | 'skip'

export interface StepResult {
  status: StepStatus
  /** One line: what was found, or exactly why the step failed. */
  detail: string
  /** Further lines (certificates, the partner's answer). */
  lines?: string[]
}

export interface Report {
  /** Run a step and print its line; a thrown error is a failure with its message. */
  step(title: string, run: () => StepResult | Promise<StepResult>): Promise<StepResult>
  /** Print a step as skipped because `because` failed. */
  skip(title: string, because: string): StepResult
  failed(): string[]
  total(): number
}

const MARK: Record<StepStatus, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }

export const pass = (detail: string, lines?: string[]): StepResult => (lines === undefined ? { status: 'pass', detail } : { status: 'pass', detail, lines })
export const fail = (detail: string, lines?: string[]): StepResult => (lines === undefined ? { status: 'fail', detail } : { status: 'fail', detail, lines })
export const skipped = (detail: string, lines?: string[]): StepResult => (lines === undefined ? { status: 'skip', detail } : { status: 'skip', detail, lines })

export function createReport(out: Writer): Report {
  const failures: string[] = []
  let count = 0
  const print = (title: string, result: StepResult): StepResult => {
    count++
    if (result.status === 'fail') failures.push(title)
    writeLine(out, `${MARK[result.status]}  ${title}: ${result.detail}`)
    for (const line of result.lines ?? []) writeLine(out, `        ${line}`)
    return result
  }
  return {
    async step(title, run) {
      let result: StepResult
      try {
        result = await run()
      } catch (err) {
        result = fail(err instanceof Error ? err.message : String(err))
      }
      return print(title, result)
    },
    skip: (title, because) => print(title, skipped(`not run: ${because}`)),
    failed: () => [...failures],
    total: () => count,
  }
}
