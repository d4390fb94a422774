// Types for scripts/docs-alerts.mjs, so test/unit/deploy/deploy-alerts.test.ts can check the generated file.
export const ALERTS_FILE: string
export const PROMETHEUS_RULE_FILE: string
export function prometheusRuleYaml(alertsText: string): string
export default function docsAlerts(): Promise<void>
