// Unit (issue 11): stdout behind the line batch (log/line-batch.ts has its own tests): what waits in the batch when
// the process exits must still reach stdout, whole and in order.
import { describe, expect, it } from 'vitest'

describe('stdout with batching, in a real process', () => {
  it('every line reaches stdout, in order, when the process exits before a flush was due', async () => {
    const { spawnSync } = await import('node:child_process')
    const { fileURLToPath } = await import('node:url')
    const logger = fileURLToPath(new URL('../../../dist/log/logger.js', import.meta.url))
    const script = `import(${JSON.stringify(logger)}).then(({ createLogger }) => { const log = createLogger('info', undefined, 4096); for (let i = 0; i < 3; i++) log.info({ i }, 'line'); process.exit(0) })`
    const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    expect(out.status).toBe(0)
    expect(out.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i)).toEqual([0, 1, 2])
  })
})
