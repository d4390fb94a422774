// deploy/kubernetes/networkpolicy.yaml (issue 15): the admin port (/status, /metrics, POST /reload) is
// reachable from the monitoring namespace only, not from every pod; the inbound port stays open.
import { describe, expect, it } from 'vitest'
import { loadManifests, pick, type Manifest } from './deploy-files.js'

const manifests = loadManifests()
const policy = pick(manifests, 'NetworkPolicy', 's2s-gateway')
const ports = new Map<string, number>((pick(manifests, 'Deployment', 's2s-gateway').spec.template.spec.containers as Manifest[])
  .find((c) => c.name === 'gateway')?.ports.map((p: Manifest) => [p.name, p.containerPort]))
const rulesFor = (port: number | undefined): Manifest[] =>
  (policy.spec.ingress as Manifest[]).filter((r) => (r.ports as Manifest[]).some((p) => p.port === port))

describe('NetworkPolicy', () => {
  it('filters ingress only', () => {
    expect(policy.spec.policyTypes).toEqual(['Ingress'])
  })

  it('admits the admin port from the monitoring namespace only', () => {
    const rules = rulesFor(ports.get('admin'))
    expect(rules).toHaveLength(1)
    expect(rules[0]?.from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }])
  })

  it('keeps the admin port out of the inbound rule, which any source may reach', () => {
    const rules = rulesFor(ports.get('inbound'))
    expect(rules).toHaveLength(1)
    expect(rules[0]?.from).toBeUndefined()
    expect((rules[0]?.ports as Manifest[]).map((p) => p.port)).toEqual([ports.get('inbound')])
  })
})
