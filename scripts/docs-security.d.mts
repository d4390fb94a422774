// Types for scripts/docs-security.mjs, so test/security/harness.ts can merge reports after writing its own.
export interface MergedSecurityReport {
  generatedAt: string
  files: Array<{ file: string; generatedAt: string }>
  attacks: { tried: number; rejected: number }
  controls: { tried: number; accepted: number }
  faults: { tried: number; survived: number }
  categories: Record<string, { tried: number; rejected: number }>
  resources: Record<string, unknown>
  soak: unknown
  failures: string[]
}
export function mergeSecurityReports(root?: string): MergedSecurityReport
export function writeMergedReport(root?: string): MergedSecurityReport
export function renderFigures(report: MergedSecurityReport): string
export default function docsSecurity(root?: string): Promise<void>
