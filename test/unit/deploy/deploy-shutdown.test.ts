// deploy/kubernetes/deployment.yaml (issue 15, defect 4): on a rollout the backend sidecar must outlive the
// gateway's accept window (its preStop pause) and drain (shutdown.drainTimeoutMs, from configmap.yaml or the
// schema's default), or in-flight requests meet a stopped backend and get a 502; and the whole sequence
// must fit in terminationGracePeriodSeconds, or the kubelet kills both mid-drain.
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DEFAULTS } from '../../../src/schema/index.js'
import { loadManifests, pick, type Manifest } from './deploy-files.js'

const manifests = loadManifests()
const podSpec = pick(manifests, 'Deployment', 's2s-gateway').spec.template.spec
const container = (name: string): Manifest => {
  const found = (podSpec.containers as Manifest[]).find((c) => c.name === name)
  if (found === undefined) throw new Error(`no container ${name}`)
  return found
}

/** Seconds a container's preStop hook holds it before SIGTERM: the sleep action or `exec: sleep N`; 0 without one. */
function preStopSeconds(c: Manifest): number {
  const hook = c.lifecycle?.preStop
  if (hook === undefined) return 0
  if (hook.sleep !== undefined) return Number(hook.sleep.seconds)
  const command = hook.exec?.command as string[] | undefined
  if (command?.length === 2 && command[0] === 'sleep' && /^\d+$/.test(String(command[1]))) return Number(command[1])
  throw new Error(`${c.name}: a preStop hook this test cannot time: ${JSON.stringify(hook)}`)
}

/** shutdown.drainTimeoutMs the pods run with: the ConfigMap's, else the schema's default; and the larger of both. */
function drainSeconds(): { configured: number; worst: number } {
  const file = parse(pick(manifests, 'ConfigMap', 's2s-gateway-config').data['gateway.yaml'] as string) as Manifest
  const configuredMs = Number(file.shutdown?.drainTimeoutMs ?? DEFAULTS.shutdown.drainTimeoutMs)
  return { configured: configuredMs / 1000, worst: Math.max(configuredMs, DEFAULTS.shutdown.drainTimeoutMs) / 1000 }
}

describe('pod shutdown order', () => {
  const gatewayPause = preStopSeconds(container('gateway'))
  const backendPause = preStopSeconds(container('backend'))
  const grace = Number(podSpec.terminationGracePeriodSeconds)

  it('the gateway keeps accepting through a preStop pause while the endpoint removal spreads', () => {
    expect(gatewayPause).toBeGreaterThanOrEqual(3)
  })

  it('the backend is held by a preStop hook past the gateway pause and its drain (configured and default)', () => {
    const { configured, worst } = drainSeconds()
    expect(configured).toBeGreaterThan(0)
    expect(backendPause).toBeGreaterThan(gatewayPause + configured)
    // Also when someone deletes shutdown.drainTimeoutMs from the ConfigMap and the default applies.
    expect(backendPause).toBeGreaterThan(gatewayPause + worst)
  })

  it('terminationGracePeriodSeconds covers the gateway drain and leaves the backend time to stop after its pause', () => {
    const { worst } = drainSeconds()
    expect(grace).toBeGreaterThan(gatewayPause + worst)
    expect(grace - backendPause).toBeGreaterThanOrEqual(10)
  })
})
