// deploy/ (issue 4 §6), checked without Docker or a cluster: every YAML and JSON artefact parses, the gateway
// configurations in it pass the gateway's own loader, the Kubernetes objects agree with each other and with
// the Dockerfile, and every metric the alerts and the dashboard use is one a running gateway exports.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { SERVE_USAGE } from '../../../src/cli/serve.js'
import { isLoopbackHost } from '../../../src/net/index.js'
import { DEPLOY_DIR, REPO_DIR, listDeployFiles, loadManifests, metricNamesIn, parseYamlFile, pick, readDeployFile, selects, type Manifest } from './deploy-files.js'
import { CERT_DIR, envReferencesIn, loadEmbeddedConfig, type EmbeddedLoad } from './embedded-config.js'
import { isExported, readExportedMetrics, type ExportedMetrics } from './exported-metrics.js'

const files = listDeployFiles()
const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f))
const jsonFiles = files.filter((f) => f.endsWith('.json'))
const CONFIG_PATH = '/etc/s2s-gateway/gateway.yaml'
/** The outcome label values the gateway records (issue 4 §1; src/inbound/access-log.ts). */
const OUTCOMES = ['ok', 'rejected', 'forbidden', 'unavailable', 'bad_request', 'upstream_error', 'aborted', 'public']

/** kubectl's built-in kustomize, when this machine has kubectl (it needs no cluster). */
function kubectlKustomize(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' })
  } catch {
    return undefined
  }
  return execFileSync('kubectl', ['kustomize', join(DEPLOY_DIR, 'kubernetes')], { encoding: 'utf8' })
}

/** Memoised, so each configuration is loaded (and its certificates generated) once per file. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined
  return () => (made ??= make())
}

const manifests = loadManifests()
const deployment = pick(manifests, 'Deployment', 's2s-gateway')
const podSpec = deployment.spec.template.spec
const gatewayContainer = podSpec.containers.find((c: Manifest) => c.name === 'gateway')
const secrets = manifests.filter((m) => m.kind === 'Secret')

/** Every variable the gateway container takes from a Secret, with a stand-in value. */
function secretEnv(): Record<string, string> {
  const fromSecrets = (gatewayContainer.env ?? []).filter((e: Manifest) => e.valueFrom?.secretKeyRef !== undefined)
  return Object.fromEntries(fromSecrets.map((e: Manifest) => [e.name, `test-value-of-${e.name}`]))
}

const k8sConfig = once(() => loadEmbeddedConfig(pick(manifests, 'ConfigMap', 's2s-gateway-config').data['gateway.yaml'], secretEnv()))
const composeConfig = once(() => loadEmbeddedConfig(readDeployFile('compose/gateway.yaml'), {}))

/** `serve --config <CONFIG_PATH>`, plus only flags `serve --help` documents. */
function expectServeCommand(args: unknown): void {
  expect(Array.isArray(args) && args.slice(0, 3)).toEqual(['serve', '--config', CONFIG_PATH])
  for (const flag of (args as string[]).slice(3)) expect(SERVE_USAGE, flag).toMatch(new RegExp(`^\\s+(?:-\\w, )?${flag}\\b`, 'm'))
}

/** Both listen on 0.0.0.0 on purpose (TLS ends in front; probes and Prometheus need the admin port). */
function expectOnlyListenerWarnings({ loaded }: EmbeddedLoad): void {
  expect(loaded.warnings).toHaveLength(2)
  expect(loaded.warnings).toEqual(expect.arrayContaining([
    expect.stringMatching(/^listen\.inbound: listens on 0\.0\.0\.0 without tls/),
    expect.stringMatching(/^listen\.admin\.host: 0\.0\.0\.0 is not loopback/),
  ]))
}

describe('deploy/ artefacts parse', () => {
  it('has the artefacts issue 4 §6 asks for', () => {
    expect(files).toEqual(expect.arrayContaining([
      'docker-compose.yml', 'grafana/s2s-gateway.json', 'prometheus/prometheus.yml', 'compose/gateway.yaml',
      ...['kustomization', 'deployment', 'service', 'configmap', 'secret', 'pdb', 'hpa', 'servicemonitor', 'prometheusrule'].map((n) => `kubernetes/${n}.yaml`),
    ]))
  })

  it.each(yamlFiles)('%s is YAML without errors or warnings, every document a mapping', (file) => {
    const { docs, problems } = parseYamlFile(file)
    expect(problems).toEqual([])
    expect(docs.length).toBeGreaterThan(0)
    for (const doc of docs) expect(doc !== null && typeof doc === 'object' && !Array.isArray(doc)).toBe(true)
  })

  it.each(jsonFiles)('%s is JSON', (file) => {
    expect(() => JSON.parse(readDeployFile(file))).not.toThrow()
  })

  it('holds no private key and no certificate', () => {
    for (const file of files) expect(readDeployFile(file), file).not.toMatch(/-----BEGIN /)
  })
})

describe('gateway configurations in deploy/ pass the gateway loader (certificates generated at test time)', () => {
  it("the ConfigMap's gateway.yaml, warning only about its deliberate 0.0.0.0 listeners", async () => {
    const load = await k8sConfig()
    expectOnlyListenerWarnings(load)
    expect(load.loaded.config.partners.length).toBeGreaterThan(0)
    expect(load.certFiles.length).toBeGreaterThan(0)
  })

  it("compose/gateway.yaml, warning only about its deliberate 0.0.0.0 listeners", async () => {
    expectOnlyListenerWarnings(await composeConfig())
  })
})

describe('Kubernetes manifests agree with each other, the configuration and the Dockerfile', () => {
  const podLabels = deployment.spec.template.metadata.labels as Record<string, string>
  const containerPorts = new Map<string, number>(gatewayContainer.ports.map((p: Manifest) => [p.name, p.containerPort]))

  it('every object has an apiVersion, a kind and a name', () => {
    for (const m of manifests.filter((x) => x.kind !== 'Kustomization')) {
      expect([m.file, typeof m.apiVersion, typeof m.metadata?.name]).toEqual([m.file, 'string', 'string'])
    }
  })

  it('the kustomization lists every manifest but the Secret templates, and sets every container image', () => {
    const kustomization = pick(manifests, 'Kustomization')
    // Subfolders are add-ons applied on their own (kubernetes/ingress-nginx/: forward-auth mode, issue 13).
    const onDisk = yamlFiles.filter((f) => f.startsWith('kubernetes/')).map((f) => f.slice('kubernetes/'.length)).filter((f) => !f.includes('/'))
    expect([...kustomization.resources].sort()).toEqual(onDisk.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.yaml'))
    expect(secrets.map((s) => s.file)).toEqual(secrets.map(() => 'kubernetes/secret.yaml'))
    const images = kustomization.images.map((i: Manifest) => i.name)
    for (const container of podSpec.containers) expect(images).toContain(container.image)
  })

  it('kubectl kustomize builds it, with every container image replaced (skipped without kubectl)', (ctx) => {
    const built = kubectlKustomize()
    if (built === undefined) return ctx.skip()
    const kustomization = pick(manifests, 'Kustomization')
    const objects = parseAllDocuments(built).map((d) => d.toJS() as Manifest)
    const listed = manifests.filter((m) => kustomization.resources.includes(m.file.slice('kubernetes/'.length)))
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(listed.map((o) => `${o.kind}/${o.metadata.name}`).sort())
    const images = objects.filter((o) => o.kind === 'Deployment').flatMap((d) => d.spec.template.spec.containers.map((c: Manifest) => c.image))
    expect(images.sort()).toEqual(kustomization.images.map((i: Manifest) => `${i.newName}:${i.newTag}`).sort())
  })

  it('runs at least two replicas, kept so by the autoscaler and the disruption budget', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2)
    expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true)
    const hpa = pick(manifests, 'HorizontalPodAutoscaler')
    expect(hpa.apiVersion).toBe('autoscaling/v2')
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name })
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2)
    const pdb = pick(manifests, 'PodDisruptionBudget')
    expect(selects(pdb.spec.selector.matchLabels, podLabels)).toBe(true)
  })

  it("hardens the pod: the Dockerfile's non-root uid, read-only roots, no capabilities, RuntimeDefault seccomp, no API token", () => {
    const dockerUser = /^USER (\d+)(?::(\d+))?$/m.exec(readFileSync(join(REPO_DIR, 'Dockerfile'), 'utf8'))
    expect(podSpec.automountServiceAccountToken).toBe(false)
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(dockerUser?.[1]), seccompProfile: { type: 'RuntimeDefault' } })
    expect(podSpec.securityContext.runAsUser).toBeGreaterThan(0)
    for (const container of podSpec.containers) {
      expect(container.securityContext, container.name).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true })
      expect(container.securityContext.capabilities.drop, container.name).toEqual(['ALL'])
      expect(container.resources.requests, container.name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) })
      expect(container.resources.limits, container.name).toMatchObject({ memory: expect.any(String) })
    }
  })

  it('probes /readyz and /healthz on the admin port, which the configuration binds on the pod address', async () => {
    const { listen } = (await k8sConfig()).loaded.config
    expect(isLoopbackHost(listen.admin.host)).toBe(false)
    expect(containerPorts.get('admin')).toBe(listen.admin.port)
    expect(containerPorts.get('inbound')).toBe(listen.inbound.port)
    expect(gatewayContainer.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'admin' })
    expect(gatewayContainer.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'admin' })
  })

  it("mounts gateway.yaml and exactly the certificates it names at the Dockerfile's paths", async () => {
    const { certFiles } = await k8sConfig()
    expect(readFileSync(join(REPO_DIR, 'Dockerfile'), 'utf8')).toContain(`"${CONFIG_PATH}"`)
    expectServeCommand(gatewayContainer.args)
    const mount = gatewayContainer.volumeMounts.find((m: Manifest) => m.mountPath === '/etc/s2s-gateway')
    expect(mount?.readOnly).toBe(true)
    const sources = podSpec.volumes.find((v: Manifest) => v.name === mount.name).projected.sources as Manifest[]
    const configMaps = sources.filter((s) => s.configMap !== undefined).map((s) => s.configMap)
    expect(configMaps).toEqual([{ name: 's2s-gateway-config', items: [{ key: 'gateway.yaml', path: 'gateway.yaml' }] }])
    const projected = sources.filter((s) => s.secret !== undefined).flatMap((s) => s.secret.items.map((i: Manifest) => ({ secret: s.secret.name, ...i })))
    // Paths in the configuration are relative to gateway.yaml, which is mounted at the volume's root.
    expect(projected.map((i) => i.path).sort()).toEqual(certFiles.map((f) => CERT_DIR + f))
    for (const item of projected) expect(pick(secrets, 'Secret', item.secret).data).toHaveProperty([item.key])
  })

  it('hands every ${NAME} in the configuration to the gateway from a key of a Secret template', async () => {
    const { raw } = await k8sConfig()
    const names = envReferencesIn(raw)
    expect(names).toContain('S2S_GATEWAY_RELOAD_TOKEN') // admin.reloadToken: POST /reload off loopback
    for (const name of names) {
      const ref = gatewayContainer.env.find((e: Manifest) => e.name === name)?.valueFrom?.secretKeyRef
      expect(ref, name).toBeDefined()
      expect(pick(secrets, 'Secret', ref.name).data).toHaveProperty([ref.key])
    }
  })

  it('Secret templates hold only empty placeholders', () => {
    expect(secrets.length).toBeGreaterThan(0)
    for (const secret of secrets) {
      const values = Object.values({ ...secret.data, ...secret.stringData })
      expect(values.length).toBeGreaterThan(0)
      expect(values.every((v) => v === ''), secret.metadata.name).toBe(true)
    }
  })

  it('Services, the NetworkPolicy and the ServiceMonitor reach the gateway pods on named ports; admin stays off the inbound Service', () => {
    const services = manifests.filter((m) => m.kind === 'Service')
    for (const service of services) {
      expect(selects(service.spec.selector, podLabels), service.metadata.name).toBe(true)
      for (const port of service.spec.ports) expect(containerPorts.has(port.targetPort), port.targetPort).toBe(true)
    }
    expect(pick(services, 'Service', 's2s-gateway').spec.ports.map((p: Manifest) => p.targetPort)).toEqual(['inbound'])
    const policy = pick(manifests, 'NetworkPolicy')
    expect(selects(policy.spec.podSelector.matchLabels, podLabels)).toBe(true)
    const admitted = policy.spec.ingress.flatMap((rule: Manifest) => rule.ports.map((p: Manifest) => p.port)).sort()
    expect(admitted).toEqual([...containerPorts.values()].sort())
    const monitor = pick(manifests, 'ServiceMonitor')
    const scraped = services.filter((s) => selects(monitor.spec.selector.matchLabels, s.metadata.labels))
    expect(scraped.map((s) => s.metadata.name)).toEqual(['s2s-gateway-admin'])
    for (const endpoint of monitor.spec.endpoints) {
      expect(endpoint.path).toBe('/metrics')
      expect(scraped[0]?.spec.ports.map((p: Manifest) => p.name)).toContain(endpoint.port)
    }
  })

  it('the PrometheusRule alerts on stale metadata, certificates expiring within 14 days, rejection spikes and upstream errors', () => {
    const rules = pick(manifests, 'PrometheusRule').spec.groups.flatMap((g: Manifest) => g.rules) as Manifest[]
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^S2SGateway[A-Za-z0-9]+$/)
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary, rule.alert).toEqual(expect.any(String))
    }
    const expr = (alert: string): string => rules.find((r) => r.alert === alert)?.expr ?? ''
    expect(expr('S2SGatewayPartnerMetadataStale')).toContain('s2s_gateway_metadata_stale')
    expect(expr('S2SGatewayCertificateExpiringSoon')).toMatch(/s2s_gateway_certificate_expiry_timestamp_seconds.*- time\(\) < 14 \* 86400/)
    expect(expr('S2SGatewayRejectionRateHigh')).toContain('s2s_gateway_requests_total{listener!="outbound", outcome=~"rejected|forbidden"}')
    expect(expr('S2SGatewayUpstreamErrors')).toContain('s2s_gateway_upstream_errors_total')
  })
})

describe('docker-compose.yml and the Grafana dashboard', () => {
  it("runs the Dockerfile's image with config and certificates at its paths, published on loopback only, scraped by Prometheus", async () => {
    const compose = parseYamlFile('docker-compose.yml').docs[0] as Manifest
    const gateway = compose.services.gateway
    expect(gateway.build).toEqual({ context: '..', dockerfile: 'Dockerfile' })
    expectServeCommand(gateway.command)
    // compose/gateway.yaml lands at CONFIG_PATH, compose/certs/ next to it, where make-certs.sh writes each file.
    expect(gateway.volumes).toEqual(['./compose:/etc/s2s-gateway:ro'])
    const makeCerts = readDeployFile('compose/make-certs.sh')
    for (const file of (await composeConfig()).certFiles) expect(makeCerts, file).toContain(`"$out/${file}"`)
    for (const [name, service] of Object.entries(compose.services as Record<string, Manifest>)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/)
    }
    expect(compose.services.prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro')
    const prometheus = parseYamlFile('prometheus/prometheus.yml').docs[0] as Manifest
    const targets = prometheus.scrape_configs.flatMap((s: Manifest) => s.static_configs.flatMap((c: Manifest) => c.targets))
    expect(targets).toContain(`gateway:${(await composeConfig()).loaded.config.listen.admin.port}`)
  })

  it('the dashboard has unique panel ids and a PromQL expression in every query', () => {
    const dashboard = JSON.parse(readDeployFile('grafana/s2s-gateway.json')) as Manifest
    const panels = dashboard.panels as Manifest[]
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length)
    const targets = panels.flatMap((p) => p.targets ?? [])
    expect(targets.length).toBeGreaterThan(10)
    for (const target of targets) expect(target.expr).toMatch(/s2s_gateway_/)
  })
})

describe('metrics the alerts and the dashboard use', () => {
  const withMetrics = files.filter((f) => metricNamesIn(readDeployFile(f)).length > 0)
  // Scraped from a running gateway's admin /metrics, not a list kept here.
  let exported: ExportedMetrics
  beforeAll(async () => {
    exported = await readExportedMetrics()
  })

  it.each(['kubernetes/prometheusrule.yaml', 'grafana/s2s-gateway.json'])('%s queries the gateway metrics', (file) => {
    expect(metricNamesIn(readDeployFile(file)).length).toBeGreaterThanOrEqual(5)
  })

  it.each(withMetrics)('every s2s_gateway_* name in %s is one the gateway exports', (file) => {
    const unknown = metricNamesIn(readDeployFile(file)).filter((name) => !isExported(name, exported))
    expect(unknown).toEqual([])
  })

  it.each(withMetrics)('every outcome value %s matches is one the gateway records', (file) => {
    const matched = [...readDeployFile(file).matchAll(/outcome\s*(?:=~|!~|!=|=)\s*\\?"([^"\\]*)\\?"/g)]
    const values = matched.flatMap((m) => (m[1] as string).split('|'))
    expect(values.filter((v) => !OUTCOMES.includes(v))).toEqual([])
  })
})
