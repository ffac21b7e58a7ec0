// The parts of deploy/kubernetes/ that follow the registry, written whole by `npm run compose`
// (`-- --check` fails when one is stale): every subgraph's Deployment, Service and NetworkPolicy
// (base/subgraphs.yaml), the gateway's <NAME>_URL of each (base/subgraph-urls.env, a ConfigMap
// through kustomize, so a new POI rolls the gateway), and the local overlay's MySQL per subgraph
// (overlays/local/databases.yaml). Everything else in deploy/kubernetes/ is written by hand.
// Secrets never appear here: each container takes its keys from the `federation-secrets` Secret
// that an overlay's secretGenerator makes from its git-ignored secrets.env (`secretsEnv` below).
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { generateSecrets } from '../shared/auth/local-secrets';
import { COLLABORATION_SUBGRAPH, NETWORK_SUBGRAPH, RESERVED_PORTS } from '../shared/config';
import { containerCommand } from '../shared/service-process';
import type { DeployedSubgraph } from './deployment';

export const KUBERNETES_DIR = 'deploy/kubernetes';
/** The files `npm run compose` writes whole, relative to the project root. */
export const KUBERNETES_GENERATED = {
  subgraphs: `${KUBERNETES_DIR}/base/subgraphs.yaml`,
  urls: `${KUBERNETES_DIR}/base/subgraph-urls.env`,
  databases: `${KUBERNETES_DIR}/overlays/local/databases.yaml`,
};
/** The Secret every overlay generates from its secrets.env; containers pick single keys from it. */
export const SECRET = 'federation-secrets';
/** Seconds a pod gets after SIGTERM: the endpoints' removal (preStop), the 10 s drain, closing the pool. */
export const PRE_STOP_SECONDS = 5;
export const TERMINATION_GRACE_SECONDS = 30;
const PART_OF = 'poi-federation';
const MYSQL_PORT = 3306;

const HEADER = (what: string) => `# Generated from registry.json by \`npm run compose\` (scripts/kubernetes.ts): ${what}. Do not edit.\n`;

const labels = (name: string, component: string) => ({
  'app.kubernetes.io/name': name,
  'app.kubernetes.io/component': component,
  'app.kubernetes.io/part-of': PART_OF,
});
const selector = (name: string) => ({ 'app.kubernetes.io/name': name });
const secretEnv = (name: string, key = name) => ({ name, valueFrom: { secretKeyRef: { name: SECRET, key } } });
const httpProbe = (path: string, port: number, periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path, port },
  periodSeconds,
  timeoutSeconds: 5,
  failureThreshold,
});

/** Redis's Service (base/redis.yaml), as the gateway has it (base/gateway.yaml). */
const REDIS_URL = 'redis://redis:6379';
/** The pod label of the POI subgraphs, which alone of the subgraphs reach Redis (base/redis.yaml): they announce their imports there. */
export const POI_POD_LABEL = { 'poi-federation/role': 'poi' };

export const databaseHost = (name: string) => `mysql-${name}`;
export const databaseUrlKey = (name: string) => `${name.toUpperCase()}_DATABASE_URL`;
export const databasePasswordKey = (name: string) => `${name.toUpperCase()}_DB_PASSWORD`;

/** The network subgraph (network lists): no database; it reaches every POI at the URLs the gateway has (the subgraph-urls ConfigMap). */
export const NETWORK: DeployedSubgraph = { name: NETWORK_SUBGRAPH, port: RESERVED_PORTS[NETWORK_SUBGRAPH] };

/**
 * One subgraph: the project image running the compiled `start-subgraph.js <name>`, its Service, and
 * who may reach it. The network subgraph has no database and takes the POIs' URLs from the subgraph-urls ConfigMap.
 */
function subgraphResources({ name, port }: DeployedSubgraph, collaborationUrl: string): object[] {
  const network = name === NETWORK_SUBGRAPH;
  const poi = !network && name !== COLLABORATION_SUBGRAPH;
  const NAME = name.toUpperCase();
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name, 'subgraph') },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector(name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...labels(name, 'subgraph'), ...(poi ? POI_POD_LABEL : {}) } },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          containers: [
            {
              name: 'subgraph',
              image: 'poi-federation',
              command: containerCommand(name),
              ports: [{ name: 'http', containerPort: port }],
              env: [
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'LOG_LEVEL', value: 'info' },
                { name: 'SEED_SCALE', value: '1' },
                { name: `${NAME}_PORT`, value: String(port) },
                secretEnv('GATEWAY_PUBLIC_KEY'),
                secretEnv('CURSOR_SECRET'),
                // /metrics and /ready's details; the gateway's /ready asks for them with the same token.
                secretEnv('OPERATIONS_TOKEN'),
                { name: 'COLLABORATION_URL', value: collaborationUrl },
                ...(network ? [] : [secretEnv(databaseUrlKey(name))]),
                // A POI subgraph announces its imports to every gateway (README "Caching").
                ...(poi ? [{ name: 'REDIS_URL', value: REDIS_URL }] : []),
              ],
              ...(network ? { envFrom: [{ configMapRef: { name: 'subgraph-urls' } }] } : {}),
              readinessProbe: httpProbe('/ready', port, 10, 3),
              livenessProbe: httpProbe('/health', port, 10, 6),
              startupProbe: httpProbe('/health', port, 5, 60),
              lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_SECONDS)] } } },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '768Mi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(name, 'subgraph') },
    spec: { selector: selector(name), ports: [{ name: 'http', port, targetPort: 'http' }] },
  };
  // The gateway reaches every subgraph; the POI subgraphs also ask the collaboration about agenda items,
  // and the network subgraph asks the POI subgraphs for their lists.
  const callers: { podSelector: { matchLabels: Record<string, string> } }[] = [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'gateway' } } }];
  if (name === COLLABORATION_SUBGRAPH) callers.push({ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'subgraph' } } });
  else if (!network) callers.push({ podSelector: { matchLabels: selector(NETWORK_SUBGRAPH) } });
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, labels: labels(name, 'subgraph') },
    spec: {
      podSelector: { matchLabels: selector(name) },
      policyTypes: ['Ingress'],
      ingress: [{ from: callers, ports: [{ protocol: 'TCP', port }] }],
    },
  };
  return [deployment, service, policy];
}

/** The local overlay's MySQL for one subgraph: a StatefulSet with its volume, a Service, and only its subgraph may connect. */
function databaseResources({ name }: DeployedSubgraph): object[] {
  const host = databaseHost(name);
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: host, labels: labels(host, 'database') },
    spec: {
      serviceName: host,
      replicas: 1,
      selector: { matchLabels: selector(host) },
      template: {
        metadata: { labels: labels(host, 'database') },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'mysql',
              image: 'mysql:8.4',
              // Same character set and collation as the subgraphs' connections (shared/db.ts).
              args: ['--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'],
              ports: [{ name: 'mysql', containerPort: MYSQL_PORT }],
              env: [
                secretEnv('MYSQL_ROOT_PASSWORD'),
                { name: 'MYSQL_DATABASE', value: `poi_${name}` },
                { name: 'MYSQL_USER', value: name },
                secretEnv('MYSQL_PASSWORD', databasePasswordKey(name)),
              ],
              readinessProbe: {
                exec: { command: ['sh', '-c', 'MYSQL_PWD="$MYSQL_PASSWORD" mysqladmin ping --host=127.0.0.1 --user="$MYSQL_USER" --silent'] },
                periodSeconds: 5,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/mysql' }],
              resources: { requests: { cpu: '100m', memory: '512Mi' } },
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: host, labels: labels(host, 'database') },
    spec: { clusterIP: 'None', selector: selector(host), ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: 'mysql' }] },
  };
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: host, labels: labels(host, 'database') },
    spec: {
      podSelector: { matchLabels: selector(host) },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: selector(name) } }], ports: [{ protocol: 'TCP', port: MYSQL_PORT }] }],
    },
  };
  return [statefulSet, service, policy];
}

const documents = (objects: object[]) => objects.map((object) => YAML.stringify(object)).join('---\n');
export const subgraphUrl = ({ name, port }: DeployedSubgraph) => `http://${name}:${port}/graphql`;

/** Every generated file of deploy/kubernetes/ (path relative to the project root) with its text. */
export function renderKubernetes(subgraphs: readonly DeployedSubgraph[]): { file: string; text: string }[] {
  const collaboration = subgraphs.find((s) => s.name === COLLABORATION_SUBGRAPH);
  if (!collaboration) throw new Error('the collaboration subgraph is missing');
  const collaborationUrl = subgraphUrl(collaboration);
  return [
    {
      file: KUBERNETES_GENERATED.subgraphs,
      text:
        HEADER('a Deployment, Service and NetworkPolicy per subgraph') +
        documents([...subgraphs, NETWORK].flatMap((s) => subgraphResources(s, collaborationUrl))),
    },
    {
      file: KUBERNETES_GENERATED.urls,
      text:
        HEADER("the gateway's (and the network subgraph's) URL of each subgraph's Service") +
        [...subgraphs, NETWORK].map((s) => `${s.name.toUpperCase()}_URL=${subgraphUrl(s)}\n`).join(''),
    },
    {
      file: KUBERNETES_GENERATED.databases,
      text: HEADER('a MySQL StatefulSet, Service and NetworkPolicy per subgraph') + documents(subgraphs.flatMap(databaseResources)),
    },
  ];
}

/**
 * An overlay's secrets.env (kustomize reads values verbatim: no quotes, PEM newlines as `\n`).
 * The keys of `npm run secrets`, an OPERATIONS_TOKEN, and each subgraph's database: locally a
 * fresh password per subgraph (and root) with the URL of its local MySQL; in production the
 * <NAME>_DATABASE_URL of every subgraph, taken from `env` (refused when one is missing).
 */
export function secretsEnv(overlay: 'local' | 'production', subgraphs: readonly DeployedSubgraph[], env: NodeJS.ProcessEnv): string {
  const fresh = () => randomBytes(24).toString('base64url');
  const keys = generateSecrets();
  const lines = [
    `AUTH_JWT_SECRET=${keys.clientSecret}`,
    `GATEWAY_SIGNING_KEY=${keys.gatewayPrivateKey.trim().replace(/\n/g, '\\n')}`,
    `GATEWAY_PUBLIC_KEY=${keys.gatewayPublicKey.trim().replace(/\n/g, '\\n')}`,
    `CURSOR_SECRET=${fresh()}`,
    `OPERATIONS_TOKEN=${fresh()}`,
  ];
  if (overlay === 'local') {
    lines.push(`MYSQL_ROOT_PASSWORD=${fresh()}`);
    for (const { name } of subgraphs) {
      const password = fresh();
      lines.push(`${databasePasswordKey(name)}=${password}`);
      lines.push(`${databaseUrlKey(name)}=mysql://${name}:${password}@${databaseHost(name)}:${MYSQL_PORT}/poi_${name}`);
    }
  } else {
    const missing = subgraphs.map(({ name }) => databaseUrlKey(name)).filter((key) => !/^mysql:\/\/\S+$/.test(env[key] ?? ''));
    if (missing.length > 0)
      throw new Error(`set every subgraph's database URL (mysql://user:password@host:3306/schema) first; missing or not a mysql:// URL: ${missing.join(', ')}`);
    for (const { name } of subgraphs) lines.push(`${databaseUrlKey(name)}=${env[databaseUrlKey(name)]}`);
  }
  return lines.join('\n') + '\n';
}
