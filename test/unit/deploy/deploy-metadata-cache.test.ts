// deploy/kubernetes (issue 14 §2): the ConfigMap's metadata.cacheDir lies on a writable volume of the gateway
// container (the root filesystem is read-only), so last-known-good snapshots can be written and survive a
// container restart.
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadManifests, pick, type Manifest } from './deploy-files.js'

const manifests = loadManifests()
const podSpec = pick(manifests, 'Deployment', 's2s-gateway').spec.template.spec
const gateway = (podSpec.containers as Manifest[]).find((c) => c.name === 'gateway') as Manifest
const file = parse(pick(manifests, 'ConfigMap', 's2s-gateway-config').data['gateway.yaml'] as string) as Manifest

describe('metadata.cacheDir in Kubernetes', () => {
  const cacheDir = String((file as unknown as { metadata?: { cacheDir?: unknown } }).metadata?.cacheDir)

  it('is set, absolute, and under a writable volume mount of the gateway container', () => {
    expect(cacheDir.startsWith('/')).toBe(true)
    const mounts = (gateway.volumeMounts as Manifest[]).filter((m) => cacheDir === m.mountPath || cacheDir.startsWith(`${String(m.mountPath)}/`))
    expect(mounts).toHaveLength(1)
    expect(mounts[0]?.readOnly).not.toBe(true)
    const volume = (podSpec.volumes as Manifest[]).find((v) => v.name === mounts[0]?.name)
    expect(volume?.emptyDir ?? volume?.persistentVolumeClaim).toBeDefined()
    expect(gateway.securityContext?.readOnlyRootFilesystem).toBe(true)
  })
})
