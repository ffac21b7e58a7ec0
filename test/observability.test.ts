import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { trace } from '@opentelemetry/api';
import { startGateway } from '../gateway/src/gateway';
import { testSecurityEnv } from './helpers/auth';
import { ConfigError, loadConfig, PROJECT_ROOT, subgraphRuntime } from '../shared/config';
import { ANY_PORTS } from './helpers/stack';
import { createLogger } from '../shared/logger';
import type { RunningServer } from '../shared/server';
import { configuredStartOptions, type RunningSubgraph } from '../shared/subgraph';
import { composeSupergraph } from '../shared/supergraph';
import { SUBGRAPHS } from '../subgraphs/catalog';

// Observability: Prometheus /metrics on the gateway and the subgraphs, request ids in headers
// and structured logs, OpenTelemetry traces over OTLP/HTTP when configured, and the
// development switch that returns the query plan.

type LogLine = Record<string, any> & { service: string; msg: string; requestId?: string };

/** A pino destination that keeps every line, parsed. */
function logCapture() {
  const lines: LogLine[] = [];
  return {
    lines,
    stream: { write: (chunk: string) => void lines.push(JSON.parse(chunk)) },
  };
}

const OVERVIEW = 'query Overview { pois { code name stats { libraryCount openTicketCount } } }';

async function post(
  url: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: { data?: any; errors?: any[]; extensions?: Record<string, any> } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function scrape(server: { url: string }): Promise<{ contentType: string | null; text: string }> {
  const response = await fetch(server.url.replace(/\/graphql$/, '/metrics'));
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample in Prometheus text: `name{labels…} value`, the given labels a subset of the sample's. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a service by its entry point, as `npm start` does, and waits for its /health. */
async function startService(args: string[], env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${args.join(' ')} did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopService(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A stand-in OTLP/HTTP receiver: keeps every request it gets. */
async function startOtlpReceiver() {
  const requests: { method: string; path: string; contentType?: string; body: any }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // not JSON: kept as text
      }
      requests.push({ method: req.method!, path: req.url!, contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Every span in the OTLP/JSON export requests, with its service's name. */
function exportedSpans(requests: { body: any }[]) {
  return requests.flatMap((request) =>
    (request.body.resourceSpans ?? []).flatMap((resourceSpans: any) => {
      const service = resourceSpans.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;
      return (resourceSpans.scopeSpans ?? []).flatMap((scope: any) =>
        (scope.spans ?? []).map((span: any) => ({ service, name: span.name as string, traceId: span.traceId as string })),
      );
    }),
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('observability', () => {
  const logs = logCapture();
  const securityEnv = testSecurityEnv();
  const config = loadConfig({
    ...process.env,
    ...ANY_PORTS,
    SEED_SCALE: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    ...securityEnv,
  });
  const subgraphs = new Map<string, RunningSubgraph>();
  const extraServers: RunningServer[] = [];
  let supergraphSdl: string;
  let gateway: RunningServer;

  beforeAll(async () => {
    for (const definition of SUBGRAPHS) {
      const configured = configuredStartOptions(config, subgraphRuntime(config, definition.name), createLogger(definition.name, 'info', logs.stream));
      subgraphs.set(
        definition.name,
        await definition.start({
          ...configured,
          seed: { ...config.seed, reset: true },
          collaborationUrl: subgraphs.get('collaboration')?.url ?? configured.collaborationUrl,
          subgraphUrls: Object.fromEntries([...subgraphs].map(([name, s]) => [name, s.url])),
        }),
      );
    }
    supergraphSdl = composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: subgraphs.get(s.name)!.url, sdl: s.sdl }))).supergraphSdl;
    gateway = await startGateway({
      supergraph: { sdl: supergraphSdl },
      subgraphUrls: {},
      port: 0,
      host: config.host,
      logger: createLogger('gateway', 'info', logs.stream),
      // One failed fetch opens a circuit, so the circuit gauge moves in the last test.
      resilience: { failureThreshold: 1, cooldownMs: 60_000 },
      security: config.security,
    });
  });

  afterAll(async () => {
    await Promise.all([gateway?.stop(), ...extraServers.map((s) => s.stop())]);
    await Promise.all([...subgraphs.values()].map((s) => s.stop()));
  });

  describe('Prometheus /metrics', () => {
    it('on the gateway: requests and latency by operation, query-plan cache, subgraph fetches, circuits, process metrics', async () => {
      const before = (await scrape(gateway)).text;
      const count = (text: string) => sample(text, 'gateway_request_duration_seconds_count', { operation: 'Overview' }) ?? 0;
      const planCache = (text: string, result: string) => sample(text, 'gateway_query_plan_cache_total', { result }) ?? 0;
      const fetches = (text: string) => sample(text, 'gateway_subgraph_fetch_duration_seconds_count', { subgraph: 'collaboration' }) ?? 0;

      for (let i = 0; i < 3; i++) expect((await post(gateway.url, OVERVIEW)).body.errors).toBeUndefined();
      const anonymous = await post(gateway.url, '{ pois { code } }');
      expect(anonymous.body.errors).toBeUndefined();

      const { contentType, text } = await scrape(gateway);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      for (const type of [
        '# TYPE gateway_request_duration_seconds histogram',
        '# TYPE gateway_errors_total counter',
        '# TYPE gateway_subgraph_fetch_duration_seconds histogram',
        '# TYPE gateway_subgraph_errors_total counter',
        '# TYPE gateway_subgraph_circuit_state gauge',
        '# TYPE gateway_query_plan_cache_total counter',
        '# TYPE gateway_query_planning_duration_seconds histogram',
        '# TYPE process_cpu_user_seconds_total counter',
        '# TYPE nodejs_eventloop_lag_seconds gauge',
      ]) {
        expect(text).toContain(type);
      }
      expect(count(text) - count(before)).toBe(3);
      expect(sample(text, 'gateway_request_duration_seconds_count', { operation: 'anonymous', service: 'gateway' })).toBeGreaterThanOrEqual(1);
      // The first Overview was planned, the two after it came from the plan cache.
      expect(planCache(text, 'miss') - planCache(before, 'miss')).toBe(2); // Overview and the anonymous query
      expect(planCache(text, 'hit') - planCache(before, 'hit')).toBe(2);
      expect(sample(text, 'gateway_query_planning_duration_seconds_count')).toBeGreaterThanOrEqual(2);
      expect(fetches(text) - fetches(before)).toBe(4);
      for (const name of SUBGRAPHS.map((s) => s.name)) {
        expect(sample(text, 'gateway_subgraph_circuit_state', { subgraph: name, state: 'closed' })).toBe(1);
        expect(sample(text, 'gateway_subgraph_circuit_state', { subgraph: name, state: 'open' })).toBe(0);
      }
    });

    it('on the gateway: errors by code', async () => {
      const errors = async () => sample((await scrape(gateway)).text, 'gateway_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' }) ?? 0;
      const before = await errors();
      const response = await post(gateway.url, 'query Broken { noSuchField }');
      expect(response.body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await errors()).toBe(before + 1);
    });

    it('caps the operation label: past 200 distinct names, new ones count as "other"', async () => {
      const names = Array.from({ length: 205 }, (_, i) => `Op${i}`);
      for (let i = 0; i < names.length; i += 25) {
        await Promise.all(names.slice(i, i + 25).map((name) => post(gateway.url, `query ${name} { __typename }`)));
      }
      const { text } = await scrape(gateway);
      const operations = new Set([...text.matchAll(/^gateway_request_duration_seconds_count\{[^}]*operation="([^"]+)"/gm)].map((m) => m[1]));
      operations.delete('anonymous'); // not a name
      expect(operations.size).toBe(201); // 200 names, then "other"
      expect(operations.has('other')).toBe(true);
      expect(sample(text, 'gateway_request_duration_seconds_count', { operation: 'other' })).toBeGreaterThanOrEqual(5);
    });

    it('on a subgraph: operation durations, root resolver and SQL timings, pool usage, process metrics', async () => {
      const cubiss = subgraphs.get('cubiss')!;
      const before = (await scrape(cubiss)).text;
      const response = await post(gateway.url, 'query CubissLibraries { cubiss { libraries(first: 3) { totalCount nodes { name } } } }');
      expect(response.body.errors).toBeUndefined();
      const { contentType, text } = await scrape(cubiss);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      for (const type of [
        '# TYPE subgraph_request_duration_seconds histogram',
        '# TYPE subgraph_errors_total counter',
        '# TYPE subgraph_resolver_duration_seconds histogram',
        '# TYPE subgraph_sql_duration_seconds histogram',
        '# TYPE subgraph_db_pool_connections gauge',
        '# TYPE process_resident_memory_bytes gauge',
      ]) {
        expect(text).toContain(type);
      }
      const requests = (t: string) =>
        [...t.matchAll(/^subgraph_request_duration_seconds_count\{[^}]*operation="CubissLibraries__cubiss__\d+"[^}]*\} (\S+)$/gm)].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        );
      expect(requests(text) - requests(before)).toBe(1);
      const resolver = (t: string) => sample(t, 'subgraph_resolver_duration_seconds_count', { field: 'Query.cubiss', service: 'cubiss' }) ?? 0;
      expect(resolver(text) - resolver(before)).toBe(1);
      const selects = (t: string) => sample(t, 'subgraph_sql_duration_seconds_count', { statement: 'select' }) ?? 0;
      expect(selects(text)).toBeGreaterThan(selects(before));
      const total = sample(text, 'subgraph_db_pool_connections', { state: 'total' })!;
      const free = sample(text, 'subgraph_db_pool_connections', { state: 'free' })!;
      if (cubiss.database!.kind === 'embedded') {
        expect([total, free]).toEqual([1, 1]);
      } else {
        expect(total).toBeGreaterThanOrEqual(1);
        expect(free).toBeLessThanOrEqual(total);
        expect(sample(text, 'subgraph_db_pool_max_connections')).toBe(config.database.poolSize);
      }
    });

    it('keeps each server in its own registry: a second gateway in the same process starts from zero', async () => {
      const second = await startGateway({
        supergraph: { sdl: supergraphSdl },
        subgraphUrls: {},
        port: 0,
        host: config.host,
        logger: createLogger('gateway', 'silent'),
        security: config.security,
      });
      extraServers.push(second);
      await post(second.url, OVERVIEW);
      const { text } = await scrape(second);
      expect(sample(text, 'gateway_request_duration_seconds_count', { operation: 'Overview' })).toBe(1);
      expect(sample(text, 'gateway_query_plan_cache_total', { result: 'miss' })).toBe(1);
      expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    });
  });

  describe('request ids', () => {
    const linesOf = (requestId: string) => logs.lines.filter((line) => line.requestId === requestId);

    it("keeps the client's x-request-id: in the response header and every log line of the request, on the gateway and the subgraphs", async () => {
      const requestId = 'client-req_42.a';
      const response = await post(gateway.url, OVERVIEW, { 'x-request-id': requestId });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe(requestId);

      const gatewayLine = await waitFor(() => linesOf(requestId).find((l) => l.service === 'gateway' && l.msg === 'request completed'), 'the gateway line');
      expect(gatewayLine).toMatchObject({ operationName: 'Overview', errorCount: 0, status: 200, level: 30 });
      expect(typeof gatewayLine.durationMs).toBe('number');
      // Every subgraph the plan called (all but the network subgraph: the overview asks no network list)
      // logged the same id, with the gateway's operation name for its fetch.
      const planned = SUBGRAPHS.filter((s) => s.name !== 'network');
      const subgraphLines = await waitFor(() => {
        const found = linesOf(requestId).filter((l) => l.service !== 'gateway' && l.msg === 'request completed');
        return found.length === planned.length ? found : undefined;
      }, 'a line from each subgraph');
      expect(new Set(subgraphLines.map((l) => l.service))).toEqual(new Set(planned.map((s) => s.name)));
      for (const line of subgraphLines) {
        expect(line.operationName).toMatch(new RegExp(`^Overview__${line.service}__\\d+$`));
        expect(line).toMatchObject({ errorCount: 0, status: 200 });
      }
      // One "request completed" line per request and service.
      expect(linesOf(requestId).filter((l) => l.msg === 'request completed')).toHaveLength(1 + planned.length);
    });

    it('makes one when the client sends none, and sends it to the subgraphs', async () => {
      const response = await post(gateway.url, OVERVIEW);
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).toMatch(UUID);
      await waitFor(() => linesOf(requestId).some((l) => l.service === 'gateway' && l.msg === 'request completed'), 'the gateway line');
      await waitFor(() => linesOf(requestId).some((l) => l.service === 'collaboration'), 'the collaboration line');
    });

    it.each([
      ['too long', 'x'.repeat(101)],
      ['with a space', 'a b'],
      ['with markup', '<script>'],
      ['with a newline escape', 'id\\nforged'],
    ])('replaces an invalid one (%s) by a new id', async (_case, invalid) => {
      const response = await post(gateway.url, OVERVIEW, { 'x-request-id': invalid });
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).toMatch(UUID);
      expect(logs.lines.some((l) => l.requestId === invalid)).toBe(false);
      await waitFor(() => linesOf(requestId).some((l) => l.service === 'gateway' && l.msg === 'request completed'), 'the gateway line');
    });

    it('accepts exactly 100 characters', async () => {
      const requestId = 'a'.repeat(100);
      expect((await post(gateway.url, '{ __typename }', { 'x-request-id': requestId })).headers.get('x-request-id')).toBe(requestId);
    });
  });

  describe('query plan switch (EXPOSE_QUERY_PLAN)', () => {
    const header = { 'Apollo-Query-Plan-Experimental': '1' };

    it('is off by default: the header gets no plan', async () => {
      const response = await post(gateway.url, OVERVIEW, header);
      expect(response.body.data.pois).toHaveLength(4);
      expect(response.body.extensions?.__queryPlanExperimental).toBeUndefined();
    });

    it('when on, a request with the header gets its query plan in the extensions; one without does not', async () => {
      const exposing = await startGateway({
        supergraph: { sdl: supergraphSdl },
        subgraphUrls: {},
        port: 0,
        host: config.host,
        logger: createLogger('gateway', 'silent'),
        exposeQueryPlan: true,
        security: config.security,
      });
      extraServers.push(exposing);
      const withPlan = await post(exposing.url, OVERVIEW, header);
      expect(withPlan.body.data.pois).toHaveLength(4);
      const plan = withPlan.body.extensions?.__queryPlanExperimental;
      expect(typeof plan).toBe('string');
      expect(plan).toMatch(/^QueryPlan \{/);
      expect(plan).toContain('Fetch(service: "collaboration")');
      expect(plan).toContain('Fetch(service: "cubiss")');
      const internal = await post(exposing.url, OVERVIEW, { ...header, 'Apollo-Query-Plan-Experimental-Format': 'internal' });
      expect(internal.body.extensions?.__queryPlanExperimental).toMatchObject({ kind: 'QueryPlan' });
      expect((await post(exposing.url, OVERVIEW)).body.extensions).toBeUndefined();
    });

    it('is configured by EXPOSE_QUERY_PLAN and refused in production', () => {
      expect(loadConfig({}).gateway.exposeQueryPlan).toBe(false);
      expect(loadConfig({ EXPOSE_QUERY_PLAN: 'true' }).gateway.exposeQueryPlan).toBe(true);
      expect(loadConfig({ EXPOSE_QUERY_PLAN: 'false', NODE_ENV: 'production', ...securityEnv }).gateway.exposeQueryPlan).toBe(false);
      expect(() => loadConfig({ EXPOSE_QUERY_PLAN: 'true', NODE_ENV: 'production', ...securityEnv })).toThrow(
        /EXPOSE_QUERY_PLAN=true is refused with NODE_ENV=production/,
      );
      expect(() => loadConfig({ EXPOSE_QUERY_PLAN: 'yes' })).toThrow(ConfigError);
    });
  });

  describe('OpenTelemetry traces', () => {
    it('is configured by OTEL_EXPORTER_OTLP_ENDPOINT, off by default', () => {
      expect(loadConfig({}).otlpEndpoint).toBeUndefined();
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint).toBe('http://collector:4318');
      expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    });

    /**
     * Real processes, as in production (one tracer provider per service): the gateway and the
     * collaboration started by their own entry points with `otelEnv`, the POI subgraphs of this
     * suite behind them; one OVERVIEW request, then both stop gracefully (SIGTERM), which flushes
     * any batched spans: whatever they would send has been sent once this returns. (Jest's module
     * sandbox also cannot run the exporter's dynamic import of node:http.)
     */
    async function oneRequestThroughProcesses(otelEnv: Record<string, string>): Promise<void> {
      const supergraphPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otel-')), 'supergraph.graphql');
      const ports = { gateway: await freePort(), collaboration: await freePort() };
      const urls = Object.fromEntries(
        SUBGRAPHS.map((s) => [s.name, s.name === 'collaboration' ? `http://127.0.0.1:${ports.collaboration}/graphql` : subgraphs.get(s.name)!.url]),
      );
      fs.writeFileSync(supergraphPath, composeSupergraph(SUBGRAPHS.map((s) => ({ name: s.name, url: urls[s.name], sdl: s.sdl }))).supergraphSdl);
      const env: NodeJS.ProcessEnv = {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.endsWith('_DATABASE_URL') && !key.startsWith('OTEL_'))),
        ...Object.fromEntries(SUBGRAPHS.map((s) => [`${s.name.toUpperCase()}_URL`, urls[s.name]])),
        GATEWAY_PORT: String(ports.gateway),
        COLLABORATION_PORT: String(ports.collaboration),
        SUPERGRAPH_PATH: supergraphPath,
        LOG_LEVEL: 'warn',
        ...securityEnv,
        ...otelEnv,
      };
      let collaboration: ChildProcess | undefined;
      let gatewayProcess: ChildProcess | undefined;
      try {
        collaboration = await startService(['scripts/start-subgraph.ts', 'collaboration'], env, ports.collaboration);
        gatewayProcess = await startService(['gateway/src/index.ts'], env, ports.gateway);
        const response = await post(`http://127.0.0.1:${ports.gateway}/graphql`, OVERVIEW);
        expect(response.body.errors).toBeUndefined();
      } finally {
        await Promise.all([stopService(gatewayProcess), stopService(collaboration)]);
        fs.rmSync(path.dirname(supergraphPath), { recursive: true, force: true });
      }
    }

    it('sends nothing and registers no tracer when no endpoint is configured', async () => {
      // The receiver is given to the services the way OpenTelemetry's own exporter would find it
      // (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, read by the OTLP exporter itself), only the
      // project's switch OTEL_EXPORTER_OTLP_ENDPOINT is unset: a service that loaded the SDK and
      // exporter anyway would send its spans there by the time it has stopped.
      const receiver = await startOtlpReceiver();
      try {
        await oneRequestThroughProcesses({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/v1/traces` });
        expect(receiver.requests).toEqual([]);
      } finally {
        await receiver.close();
      }
      // Nor in this process: the global tracer makes only non-recording spans.
      expect((await post(gateway.url, OVERVIEW)).body.errors).toBeUndefined();
      const span = trace.getTracer('probe').startSpan('probe');
      expect(span.isRecording()).toBe(false);
      span.end();
    });

    it("exports the gateway's and a subgraph's spans to <endpoint>/v1/traces: one trace across services, service.name per service", async () => {
      const receiver = await startOtlpReceiver();
      try {
        await oneRequestThroughProcesses({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
      } finally {
        await receiver.close();
      }
      expect(receiver.requests.length).toBeGreaterThan(0);
      for (const request of receiver.requests) {
        expect(request).toMatchObject({ method: 'POST', path: '/v1/traces', contentType: 'application/json' });
      }
      const spans = exportedSpans(receiver.requests);
      const gatewaySpans = spans.filter((s) => s.service === 'gateway');
      expect(gatewaySpans.map((s) => s.name)).toEqual(expect.arrayContaining(['POST /graphql', 'gateway.request', 'gateway.plan', 'gateway.fetch']));
      const collaborationSpan = spans.find((s) => s.service === 'collaboration' && s.name === 'POST /graphql');
      expect(collaborationSpan).toBeDefined();
      // The collaboration's span continues the gateway's trace (traceparent on the fetch).
      expect(collaborationSpan!.traceId).toBe(gatewaySpans.find((s) => s.name === 'gateway.request')!.traceId);
      expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway', 'collaboration']));
    });
  });

  describe('when a subgraph is down', () => {
    it('counts its fetch errors by code, opens its circuit gauge, and logs the failure with the request id', async () => {
      const errors = (text: string) => sample(text, 'gateway_subgraph_errors_total', { subgraph: 'rijnbrink', code: 'SUBGRAPH_UNAVAILABLE' }) ?? 0;
      const before = (await scrape(gateway)).text;
      expect(sample(before, 'gateway_subgraph_circuit_state', { subgraph: 'rijnbrink', state: 'closed' })).toBe(1);
      await subgraphs.get('rijnbrink')!.stop();

      const requestId = 'down-test-1';
      const response = await post(gateway.url, OVERVIEW, { 'x-request-id': requestId });
      expect(response.body.errors?.map((e: any) => e.extensions.code)).toContain('SUBGRAPH_UNAVAILABLE');

      const { text } = await scrape(gateway);
      expect(errors(text)).toBeGreaterThan(errors(before));
      expect(sample(text, 'gateway_errors_total', { code: 'SUBGRAPH_UNAVAILABLE' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'gateway_subgraph_circuit_state', { subgraph: 'rijnbrink', state: 'open' })).toBe(1);
      expect(sample(text, 'gateway_subgraph_circuit_state', { subgraph: 'rijnbrink', state: 'closed' })).toBe(0);

      // The gateway's warning about the failed fetch carries the request's id too.
      const lines = await waitFor(() => {
        const found = logs.lines.filter((l) => l.requestId === requestId && l.service === 'gateway');
        return found.some((l) => l.msg === 'request completed') ? found : undefined;
      }, 'the gateway lines');
      expect(lines.find((l) => l.msg === 'subgraph fetch failed')).toMatchObject({ level: 40, subgraph: 'rijnbrink' });
      expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({ operationName: 'Overview', errorCount: response.body.errors!.length });
    });
  });
});
