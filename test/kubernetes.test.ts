/**
 * deploy/kubernetes/ is checked by rendering both overlays with `kubectl kustomize` (in a copy,
 * with secrets.env made by `npm run kubernetes:secrets`), validating every object against the
 * Kubernetes API's schemas (kubernetes-models) and what the API server checks beyond them, and
 * checking the wiring as each container will see it: its environment resolved from the rendered
 * Secret and ConfigMap, read by shared/config.ts exactly as the services read it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadConfig, subgraphConfig } from '../shared/config';
import { POIS } from '../shared/registry';
import { STOP_GRACE_PERIOD_MS } from '../shared/server';
import { deployedSubgraphs } from '../scripts/deployment';
import { KUBERNETES_DIR, POI_POD_LABEL, renderKubernetes, secretsEnv } from '../scripts/kubernetes';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

const ROOT = path.resolve(__dirname, '..');
const registry = JSON.parse(fs.readFileSync(path.join(ROOT, 'registry.json'), 'utf8')) as { code: string; port: number }[];
const SUBGRAPHS = ['collaboration', ...registry.map((poi) => poi.code.toLowerCase())];
/** How long a service drains requests after SIGTERM. */
const DRAIN_SECONDS = STOP_GRACE_PERIOD_MS / 1000;
/** A subgraph's container command as README "Running it on bare metal" documents it: the compiled build on plain node with production's flags. */
const subgraphCommand = (name: string) => [
  'node',
  '--max-semi-space-size=1',
  '--heap-growing-percent=50',
  '--v8-pool-size=1',
  'dist/scripts/start-subgraph.js',
  name,
];

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

/** `kubectl`, or the one KUBECTL names (to try another version). */
const KUBECTL = process.env.KUBECTL || 'kubectl';
const kubectl = (() => {
  try {
    execFileSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!kubectl) console.warn('kubernetes.test.ts: SKIPPED: kubectl is not installed (apt-get install kubernetes-client; .ci/run installs it)');
const describeWithKubectl = kubectl ? describe : describe.skip;

const PRODUCTION_URLS = Object.fromEntries(SUBGRAPHS.map((s) => [`${s.toUpperCase()}_DATABASE_URL`, `mysql://${s}:pw-${s}@db-${s}.example.org:3306/poi_${s}`]));

/** Renders an overlay in a throwaway copy of deploy/kubernetes/, with a fresh secrets.env. */
function render(overlay: 'local' | 'production'): K8sObject[] {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-'));
  try {
    fs.cpSync(path.join(ROOT, KUBERNETES_DIR), copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'overlays', overlay, 'secrets.env'), secretsEnv(overlay, deployedSubgraphs(POIS), PRODUCTION_URLS));
    // stderr: kustomize 5 warns that the fields kubectl 1.20's kustomize 2 needs are deprecated.
    const text = execFileSync(KUBECTL, ['kustomize', path.join(copy, 'overlays', overlay)], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as K8sObject);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- validation
/** The Kubernetes API's own schemas (kubernetes-models), one model class per apiVersion and kind the overlays may hold. */
const MODELS = [Namespace, Service, Secret, ConfigMap, Deployment, StatefulSet, HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy];
const where = (object: K8sObject) => `${object.kind}/${object.metadata?.name}`;

/**
 * An object as the API server decodes it: kustomize writes a long Secret value as a block of
 * base64 lines, and Go's base64 decoder skips the line breaks (the schema's "byte" format does not).
 */
const asDecoded = (object: K8sObject): K8sObject =>
  object.kind === 'Secret' && object.data
    ? { ...object, data: Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, String(v).replace(/[\r\n]/g, '')])) }
    : object;

/** What the API's schema refuses: an unknown apiVersion or kind, a missing required field, a wrong type or format. */
function schemaProblems(object: K8sObject): string[] {
  const Model = MODELS.find((m) => m.apiVersion === object.apiVersion && m.kind === object.kind);
  if (!Model) return [`${where(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(asDecoded(object)).validate();
    return [];
  } catch (error) {
    return [`${where(object)}: ${(error as Error).message}`];
  }
}

// What the API server also refuses but its schema cannot say: names, port ranges, one-of fields, selectors that select the template.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const isPort = (p: unknown) => Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535;

function probeProblems(at: string, probe: K8sObject['spec'], portNames: string[]): string[] {
  if (probe === undefined) return [];
  const handlers = ['httpGet', 'tcpSocket', 'exec', 'grpc'].filter((h) => probe[h] !== undefined);
  const problems = handlers.length === 1 ? [] : [`${at}: a probe needs exactly one handler, has ${handlers.join(', ') || 'none'}`];
  const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
  if (port !== undefined && !isPort(port) && !portNames.includes(port)) problems.push(`${at}: probe port ${port} is no container port`);
  if (probe.httpGet && !String(probe.httpGet.path).startsWith('/')) problems.push(`${at}: probe path must start with /`);
  if (probe.exec && !(probe.exec.command?.length > 0)) problems.push(`${at}: exec probe needs a command`);
  return problems;
}

function podProblems(at: string, spec: K8sObject['spec']): string[] {
  const problems: string[] = [];
  if (!(spec?.containers?.length > 0)) return [`${at}: a pod needs containers`];
  for (const c of spec.containers) {
    const container = `${at} container ${c.name}`;
    if (!DNS_LABEL.test(c.name ?? '')) problems.push(`${container}: needs a DNS-label name`);
    if (!c.image) problems.push(`${container}: needs an image`);
    const portNames = (c.ports ?? []).map((p: { name?: string }) => p.name).filter(Boolean);
    for (const p of c.ports ?? []) if (!isPort(p.containerPort)) problems.push(`${container}: containerPort ${p.containerPort} is not a port`);
    for (const e of c.env ?? []) {
      if ((e.value !== undefined) === (e.valueFrom !== undefined)) problems.push(`${container}: env ${e.name} needs exactly one of value, valueFrom`);
      const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
      if (e.valueFrom && !ref?.name) problems.push(`${container}: env ${e.name} valueFrom needs a name`);
    }
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) problems.push(...probeProblems(`${container} ${probe}`, c[probe], portNames));
    for (const m of c.volumeMounts ?? []) if (!String(m.mountPath).startsWith('/')) problems.push(`${container}: volumeMount needs an absolute mountPath`);
  }
  return problems;
}

/** What the API server refuses beyond its schema (which schemaProblems checks). */
function semanticProblems(object: K8sObject): string[] {
  const at = where(object);
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(object.metadata?.name ?? '') || object.metadata.name.length > 253) problems.push(`${at}: bad metadata.name`);
  const spec = object.spec;
  const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
    !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
      if (!selects(spec?.selector?.matchLabels, spec?.template?.metadata?.labels)) problems.push(`${at}: selector does not select its pod template`);
      if (spec.replicas < 0) problems.push(`${at}: replicas`);
      // Optional in the schema of Kubernetes 1.27, required by older API servers.
      if (object.kind === 'StatefulSet' && !spec.serviceName) problems.push(`${at}: needs serviceName`);
      for (const claim of spec.volumeClaimTemplates ?? [])
        if (!claim.metadata?.name || !claim.spec?.resources?.requests?.storage) problems.push(`${at}: volumeClaimTemplate needs a name and storage`);
      problems.push(...podProblems(at, spec.template.spec));
      break;
    case 'Service':
      if (!(spec?.ports?.length > 0)) problems.push(`${at}: needs ports`);
      for (const p of spec?.ports ?? []) if (!isPort(p.port) || !(isPort(p.targetPort) || typeof p.targetPort === 'string')) problems.push(`${at}: bad port`);
      if (!spec?.selector) problems.push(`${at}: needs a selector`);
      break;
    case 'HorizontalPodAutoscaler':
      if (!(spec.minReplicas === undefined || (spec.minReplicas >= 1 && spec.minReplicas <= spec.maxReplicas))) problems.push(`${at}: replicas`);
      break;
    case 'PodDisruptionBudget':
      if ((spec?.minAvailable === undefined) === (spec?.maxUnavailable === undefined))
        problems.push(`${at}: needs exactly one of minAvailable, maxUnavailable`);
      if (!spec?.selector) problems.push(`${at}: needs a selector`);
      break;
    case 'NetworkPolicy':
      for (const rule of spec?.ingress ?? [])
        for (const p of rule.ports ?? []) if (!isPort(p.port) && typeof p.port !== 'string') problems.push(`${at}: bad port`);
      break;
  }
  return problems;
}

// ---------------------------------------------------------------- wiring
const named = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const containerOf = (objects: K8sObject[], name: string, kind = 'Deployment') => named(objects, kind, name).spec.template.spec.containers[0];

/** The environment a container sees, with Secret and ConfigMap references resolved. */
function environment(objects: K8sObject[], container: K8sObject['spec']): Record<string, string> {
  const secret = (name: string) => {
    const s = named(objects, 'Secret', name);
    return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')]));
  };
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) Object.assign(env, named(objects, 'ConfigMap', from.configMapRef.name).data);
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref && !(ref.key in secret(ref.name))) throw new Error(`env ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
    env[e.name] = ref ? secret(ref.name)[ref.key] : e.value;
  }
  return env;
}

/** A Service's port and the container port it forwards to. */
function servicePort(objects: K8sObject[], name: string): { port: number; target: number } {
  const service = named(objects, 'Service', name);
  const [p] = service.spec.ports;
  const pods = objects.find(
    (o) => ['Deployment', 'StatefulSet'].includes(o.kind) && Object.entries(service.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v),
  );
  if (!pods) throw new Error(`Service ${name} selects no pods`);
  const ports = pods.spec.template.spec.containers[0].ports;
  const target = typeof p.targetPort === 'string' ? ports.find((cp: { name: string }) => cp.name === p.targetPort)?.containerPort : p.targetPort;
  return { port: p.port, target };
}

/** The labels of the pods an ingress rule lets in, per NetworkPolicy of a pod of `name`. */
function allowedCallers(objects: K8sObject[], name: string): Record<string, string>[] {
  const workload = objects.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name);
  if (!workload) throw new Error(`no workload ${name}`);
  const podLabels = workload.spec.template.metadata.labels;
  const policies = objects.filter(
    (o) => o.kind === 'NetworkPolicy' && Object.entries(o.spec.podSelector.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v),
  );
  return policies.flatMap((p) =>
    (p.spec.ingress ?? []).flatMap((rule: { from?: { podSelector?: { matchLabels: Record<string, string> } }[] }) =>
      (rule.from ?? [{}]).map((f) => f.podSelector?.matchLabels ?? { '*': 'anyone' }),
    ),
  );
}

const configOf = (objects: K8sObject[], name: string, kind = 'Deployment') =>
  loadConfig({ NODE_ENV: 'production', ...environment(objects, containerOf(objects, name, kind)) });

describe('deploy/kubernetes generated files', () => {
  it('are current: what `npm run compose` makes from the registry, and follow a new POI', () => {
    for (const { file, text } of renderKubernetes(deployedSubgraphs(POIS))) {
      expect({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }).toEqual({ file, text });
    }
    const withNewcomer = renderKubernetes([...deployedSubgraphs(POIS), { name: 'fryslan', port: 4006 }]);
    const text = (suffix: string) => withNewcomer.find((f) => f.file.endsWith(suffix))!.text;
    expect(text('subgraph-urls.env')).toContain('FRYSLAN_URL=http://fryslan:4006/graphql\n');
    const kinds = (suffix: string) =>
      YAML.parseAllDocuments(text(suffix))
        .map((d) => d.toJS() as K8sObject)
        .filter((o) => o.metadata.name.endsWith('fryslan'))
        .map((o) => o.kind);
    expect(kinds('subgraphs.yaml')).toEqual(['Deployment', 'Service', 'NetworkPolicy']);
    expect(kinds('databases.yaml')).toEqual(['StatefulSet', 'Service', 'NetworkPolicy']);
  });

  it('production secrets.env is refused until every subgraph has a database URL', () => {
    expect(() => secretsEnv('production', deployedSubgraphs(POIS), { BISC_DATABASE_URL: 'mysql://u:p@h:3306/s' })).toThrow(
      /missing or not a mysql:\/\/ URL: COLLABORATION_DATABASE_URL, CUBISS_DATABASE_URL/,
    );
  });

  it('hold no Secret and no secret value: every secret comes from the git-ignored secrets.env', () => {
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', KUBERNETES_DIR], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => f.endsWith('secrets.env'))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect({ file, secret: /^kind:\s*Secret\b/m.test(text), pem: text.includes('BEGIN') }).toEqual({ file, secret: false, pem: false });
    }
    const ignored = execFileSync('git', ['check-ignore', `${KUBERNETES_DIR}/overlays/local/secrets.env`, `${KUBERNETES_DIR}/overlays/production/secrets.env`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(ignored.trim().split('\n')).toHaveLength(2);
  });
});

describeWithKubectl.each(['local', 'production'] as const)('kubectl kustomize overlays/%s', (overlay) => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(overlay);
  });

  it('renders objects the Kubernetes API accepts (its schemas, and what the API server checks beyond them), all in the overlay namespace', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
    expect(objects.flatMap(semanticProblems)).toEqual([]);
    const namespace = named(objects, 'Namespace', overlay === 'local' ? 'poi-federation-local' : 'poi-federation').metadata.name;
    expect(objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespace).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  it('the schema check refuses a corrupted object: replicas "two", a container without a name, data not base64, an unknown apiVersion', () => {
    const gateway = structuredClone(named(objects, 'Deployment', 'gateway'));
    gateway.spec.replicas = 'two';
    delete gateway.spec.template.spec.containers[0].name;
    expect(schemaProblems(gateway)).toEqual([
      'Deployment/gateway: data/spec/replicas must be integer, data/spec/template/spec/containers/0 must have required property name',
    ]);
    const secret = structuredClone(objects.find((o) => o.kind === 'Secret')!);
    secret.data.OPERATIONS_TOKEN = 'not base64!';
    expect(schemaProblems(secret)).toEqual([`Secret/${secret.metadata.name}: data/data/OPERATIONS_TOKEN must match format "byte"`]);
    const hpa = { ...named(objects, 'HorizontalPodAutoscaler', 'gateway'), apiVersion: 'autoscaling/v2beta1' };
    expect(schemaProblems(hpa)).toEqual(['HorizontalPodAutoscaler/gateway: no schema for autoscaling/v2beta1 HorizontalPodAutoscaler']);
    // And the originals still pass: the corrupted ones were copies.
    expect([gateway, secret, hpa].flatMap((o) => schemaProblems(named(objects, o.kind, o.metadata.name)))).toEqual([]);
  });

  it('has the gateway, Redis, and per subgraph a Deployment, Service and NetworkPolicy (and locally its MySQL)', () => {
    const workloads = objects
      .filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    const databases = overlay === 'local' ? SUBGRAPHS.map((s) => `StatefulSet/mysql-${s}`) : [];
    expect(workloads).toEqual(
      ['Deployment/gateway', 'Deployment/redis', ...SUBGRAPHS.map((s) => `Deployment/${s}`), 'Deployment/network', ...databases].sort(),
    );
    for (const s of [...SUBGRAPHS, 'network']) for (const kind of ['Service', 'NetworkPolicy']) expect(named(objects, kind, s).kind).toBe(kind);
  });

  it('network subgraph: no database, reaches every POI at the URLs the gateway has, only the gateway reaches it', () => {
    const config = configOf(objects, 'network');
    const container = containerOf(objects, 'network');
    expect(container.command).toEqual(subgraphCommand('network'));
    expect(servicePort(objects, 'network').port).toBe(subgraphConfig(config, 'network').port);
    expect(Object.keys(environment(objects, container)).filter((k) => k.endsWith('_DATABASE_URL'))).toEqual([]);
    const gateway = configOf(objects, 'gateway');
    for (const poi of SUBGRAPHS.filter((s) => s !== 'collaboration')) expect(subgraphConfig(config, poi).url).toBe(subgraphConfig(gateway, poi).url);
    expect(new URL(subgraphConfig(gateway, 'network').url).hostname).toBe('network');
    expect(allowedCallers(objects, 'network')).toEqual([{ 'app.kubernetes.io/component': 'gateway' }]);
    expect([environment(objects, container).GATEWAY_SIGNING_KEY, config.security.cursorSecret]).toEqual([undefined, expect.stringMatching(/^\S{32,}$/)]);
  });

  it('lets nothing in by default: only the gateway reaches the subgraphs and Redis, POIs also the collaboration and Redis, the network subgraph the POIs', () => {
    expect(named(objects, 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const gateway = { 'app.kubernetes.io/component': 'gateway' };
    for (const s of SUBGRAPHS) {
      const expected = s === 'collaboration' ? [gateway, { 'app.kubernetes.io/component': 'subgraph' }] : [gateway, { 'app.kubernetes.io/name': 'network' }];
      expect({ s, callers: allowedCallers(objects, s) }).toEqual({ s, callers: expected });
    }
    expect(allowedCallers(objects, 'redis')).toEqual([gateway, POI_POD_LABEL]);
  });

  it("POI subgraphs announce their imports on the gateways' Redis: its URL and a way in; the collaboration and the network subgraph have neither", () => {
    const redisUrl = configOf(objects, 'gateway').security.rateLimit.redisUrl;
    expect(redisUrl).toBe(`redis://redis:${servicePort(objects, 'redis').port}`);
    const mayReachRedis = (name: string) => {
      const podLabels = named(objects, 'Deployment', name).spec.template.metadata.labels;
      return allowedCallers(objects, 'redis').some((caller) => Object.entries(caller).every(([k, v]) => podLabels[k] === v));
    };
    for (const s of [...SUBGRAPHS, 'network']) {
      const poi = s !== 'collaboration' && s !== 'network';
      expect({ s, redisUrl: configOf(objects, s).security.rateLimit.redisUrl, reaches: mayReachRedis(s) }).toEqual({
        s,
        redisUrl: poi ? redisUrl : undefined,
        reaches: poi,
      });
    }
  });

  it.each(SUBGRAPHS)('subgraph %s: its port, probes, its own secrets and database', (subgraph) => {
    const config = configOf(objects, subgraph);
    const own = subgraphConfig(config, subgraph);
    const container = containerOf(objects, subgraph);
    // The compiled build on plain node (no tsx in the image).
    expect(container.command).toEqual(subgraphCommand(subgraph));
    expect(config.host).toBe('0.0.0.0');
    expect(own.port).toBe(registry.find((p) => p.code.toLowerCase() === subgraph)?.port ?? subgraphConfig(loadConfig({}), subgraph).port);
    expect(servicePort(objects, subgraph)).toEqual({ port: own.port, target: own.port });
    expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(['/health', '/ready']);
    expect(container.livenessProbe.httpGet.port).toBe(own.port);

    const env = environment(objects, container);
    expect(config.security.gatewayPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect(config.security.cursorSecret).toMatch(/^\S{32,}$/);
    expect([env.GATEWAY_SIGNING_KEY, env.AUTH_JWT_SECRET]).toEqual([undefined, undefined]);
    // The gateway asks for /ready's details with its own token: the same one.
    expect(config.operations.token).toBe(configOf(objects, 'gateway').operations.token);
    expect(Object.keys(env).filter((k) => k.endsWith('_DATABASE_URL'))).toEqual([`${subgraph.toUpperCase()}_DATABASE_URL`]);
    const collaboration = new URL(env.COLLABORATION_URL);
    expect(servicePort(objects, collaboration.hostname).port).toBe(Number(collaboration.port));

    const url = new URL(own.databaseUrl!);
    if (overlay === 'production') {
      expect(own.databaseUrl).toBe(PRODUCTION_URLS[`${subgraph.toUpperCase()}_DATABASE_URL`]);
      return;
    }
    // Locally: its own MySQL StatefulSet, as the user, password and schema that MySQL creates.
    const mysql = environment(objects, containerOf(objects, `mysql-${subgraph}`, 'StatefulSet'));
    expect({
      host: url.hostname,
      port: Number(url.port),
      user: url.username,
      password: decodeURIComponent(url.password),
      schema: url.pathname.slice(1),
    }).toEqual({
      host: `mysql-${subgraph}`,
      port: servicePort(objects, `mysql-${subgraph}`).port,
      user: mysql.MYSQL_USER,
      password: mysql.MYSQL_PASSWORD,
      schema: mysql.MYSQL_DATABASE,
    });
    expect(mysql.MYSQL_ROOT_PASSWORD).toMatch(/\S{16,}/);
    expect(allowedCallers(objects, `mysql-${subgraph}`)).toEqual([{ 'app.kubernetes.io/name': subgraph }]);
  });

  it('local MySQL: every subgraph a password of its own', () => {
    if (overlay !== 'local') return;
    const passwords = SUBGRAPHS.map((s) => environment(objects, containerOf(objects, `mysql-${s}`, 'StatefulSet')).MYSQL_PASSWORD);
    expect(new Set(passwords).size).toBe(SUBGRAPHS.length);
  });

  it('gateway: reaches every subgraph at its Service, holds the signing key, refuses anonymous requests, shares Redis', () => {
    expect(containerOf(objects, 'gateway').command).toEqual(['node', '--max-semi-space-size=8', '--heap-growing-percent=100', 'dist/gateway/src/index.js']);
    const config = configOf(objects, 'gateway');
    for (const s of SUBGRAPHS) {
      const url = new URL(subgraphConfig(config, s).url);
      expect({ s, host: url.hostname, port: Number(url.port), path: url.pathname }).toEqual({
        s,
        host: s,
        port: servicePort(objects, s).port,
        path: '/graphql',
      });
    }
    expect(config.gateway.port).toBe(servicePort(objects, 'gateway').target);
    expect(config.security.gatewaySigningKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(config.security.clients.allowAnonymous).toBe(false);
    expect(config.security.rateLimit.redisUrl).toBe(`redis://redis:${servicePort(objects, 'redis').port}`);
    const env = environment(objects, containerOf(objects, 'gateway'));
    expect(Object.keys(env).filter((k) => k.endsWith('_DATABASE_URL') || k === 'CURSOR_SECRET')).toEqual([]);
    expect(env.OPERATIONS_TOKEN).toMatch(/^\S{32,}$/);
    // And the subgraphs trust the key the gateway signs with.
    const subgraphKey = configOf(objects, 'bisc').security.gatewayPublicKey;
    expect(config.security.gatewayPublicKey).toBe(subgraphKey);
  });

  it('gateway: replicas, autoscaling, disruption budget, probes and a grace period above its drain', () => {
    const deployment = named(objects, 'Deployment', 'gateway');
    const hpa = named(objects, 'HorizontalPodAutoscaler', 'gateway');
    const pdb = named(objects, 'PodDisruptionBudget', 'gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    expect(Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => deployment.spec.template.metadata.labels[k] === v)).toBe(true);
    const container = containerOf(objects, 'gateway');
    expect([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path]).toEqual(['/health', '/ready']);
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it('gives every service time to drain after SIGTERM before it is killed', () => {
    for (const name of ['gateway', ...SUBGRAPHS]) {
      const pod = named(objects, 'Deployment', name).spec.template.spec;
      const preStop = pod.containers[0].lifecycle?.preStop?.exec?.command;
      const wait = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect({ name, enough: pod.terminationGracePeriodSeconds > wait + DRAIN_SECONDS }).toEqual({ name, enough: true });
    }
  });
});
