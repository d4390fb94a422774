// deploy/prometheus/alerts.yml (issue 15): the plain rules file is the one source of the alerts; the
// PrometheusRule is generated from it (`npm run docs`) and must hold the same groups; compose's Prometheus
// loads it; and deploy/prometheus/tests/ (run by `npm run test:alerts` and .ci/run with promtool) has, for
// every alert, a case where it fires and a case where it stays silent.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ALERTS_FILE, PROMETHEUS_RULE_FILE, prometheusRuleYaml } from '../../../scripts/docs-alerts.mjs'
import { DEPLOY_DIR, listDeployFiles, loadManifests, parseYamlFile, pick, type Manifest } from './deploy-files.js'

interface RuleTest { alertname: string; eval_time: string; exp_alerts?: unknown[] }

const alerts = parseYamlFile('prometheus/alerts.yml').docs[0] as Manifest
const alertNames = (alerts.groups as Manifest[]).flatMap((g) => g.rules as Manifest[]).map((r) => r.alert as string)
const testFiles = listDeployFiles().filter((f) => /^prometheus\/tests\/.+\.test\.yml$/.test(f))
const ruleTests = testFiles.flatMap((file) => {
  const suite = parseYamlFile(file).docs[0] as Manifest
  return (suite.tests as Manifest[]).flatMap((t) => (t.alert_rule_test ?? []) as RuleTest[]).map((t) => ({ ...t, file }))
})

describe('deploy/prometheus/alerts.yml and the PrometheusRule', () => {
  it('holds alerts, each named S2SGateway*, with a severity and a summary', () => {
    expect(alertNames.length).toBeGreaterThanOrEqual(9)
    expect(new Set(alertNames).size).toBe(alertNames.length)
    for (const rule of (alerts.groups as Manifest[]).flatMap((g) => g.rules as Manifest[])) {
      expect(rule.alert).toMatch(/^S2SGateway[A-Za-z0-9]+$/)
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.any(String))
    }
  })

  it('the PrometheusRule holds exactly the same groups', () => {
    const rule = pick(loadManifests(), 'PrometheusRule', 's2s-gateway')
    expect(rule.spec.groups).toEqual(alerts.groups)
  })

  it('the PrometheusRule is what `npm run docs` generates from alerts.yml (comments included)', () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8')).toBe(prometheusRuleYaml(readFileSync(ALERTS_FILE, 'utf8')))
  })

  it("compose's Prometheus loads alerts.yml from where docker-compose.yml mounts it", () => {
    const prometheus = parseYamlFile('prometheus/prometheus.yml').docs[0] as Manifest
    const compose = parseYamlFile('docker-compose.yml').docs[0] as Manifest
    const mounts = new Map((compose.services.prometheus.volumes as string[]).map((v) => {
      const [host, container] = v.split(':')
      return [container as string, host as string]
    }))
    expect(mounts.get('/etc/prometheus/prometheus.yml')).toBe('./prometheus/prometheus.yml')
    expect(prometheus.rule_files).toEqual(['alerts.yml'])
    // Relative rule_files resolve against the directory of prometheus.yml.
    expect(mounts.get('/etc/prometheus/alerts.yml')).toBe('./prometheus/alerts.yml')
    expect(join(DEPLOY_DIR, 'prometheus', 'alerts.yml')).toBe(ALERTS_FILE)
  })
})

describe('promtool unit tests in deploy/prometheus/tests/', () => {
  it('load alerts.yml', () => {
    expect(testFiles.length).toBeGreaterThan(0)
    for (const file of testFiles) expect((parseYamlFile(file).docs[0] as Manifest).rule_files, file).toEqual(['../alerts.yml'])
  })

  it('name only alerts that exist', () => {
    expect(ruleTests.map((t) => t.alertname).filter((name) => !alertNames.includes(name))).toEqual([])
  })

  it.each(alertNames)('%s has a case where it fires and one where it stays silent', (name) => {
    const cases = ruleTests.filter((t) => t.alertname === name)
    expect(cases.some((t) => (t.exp_alerts ?? []).length > 0), 'firing case').toBe(true)
    expect(cases.some((t) => (t.exp_alerts ?? []).length === 0), 'silent case').toBe(true)
  })
})
