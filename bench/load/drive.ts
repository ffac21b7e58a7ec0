import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { clientHeaders, subgraphHeaders } from '../subgraph-auth';
import { GraphQLPoster, looksSuccessful, parseGraphQL } from './http';
import { EntityOperation, LimitPlan, representationsFor, Scenario, SubgraphOperation } from './scenarios';

/** One request (or one critical path of subgraph fetches) as a bench iteration. */
export type Iteration = () => Promise<void>;

/** A bad answer under load: counted, not thrown (connection failures are thrown). */
export class BadAnswer extends Error {}

export interface LoopResult {
  /** Requests (iterations) sent, including any still unanswered when the run stopped. */
  sent: number;
  latenciesMs: number[];
  seconds: number;
  badAnswers: number;
  failures: number;
  /** What went wrong first, when anything did. */
  firstError?: string;
}

/**
 * `connections` workers, each sending one iteration after another until `durationMs` is over
 * (no new iteration starts after that). Returns every iteration's latency. With `failFast` the
 * first failure stops every worker and is thrown.
 */
export async function closedLoop(connections: number, durationMs: number, iteration: Iteration, failFast: boolean): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  let badAnswers = 0;
  let failures = 0;
  let firstError: string | undefined;
  let failed = false;
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (!failed && performance.now() < deadline) {
      const begin = performance.now();
      try {
        await iteration();
        latenciesMs.push(performance.now() - begin);
      } catch (error) {
        if (failFast) {
          failed = true;
          throw error;
        }
        firstError ??= String(error);
        if (error instanceof BadAnswer) {
          badAnswers++;
          latenciesMs.push(performance.now() - begin);
        } else failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { sent: latenciesMs.length + failures, latenciesMs, seconds: (performance.now() - started) / 1000, badAnswers, failures, firstError };
}

/** One request to a gateway, its answer checked in full: status 200, no errors, the data the scenario expects. */
export function gatewayRequest(poster: GraphQLPoster, url: string, scenario: Scenario): Iteration {
  const payload = { query: scenario.query };
  return async () => {
    const parsed = parseGraphQL(await poster.post(url, payload, await clientHeaders()));
    if ('problem' in parsed) throw new Error(`scenario ${scenario.key} at ${url}: ${parsed.problem}`);
    const problem = scenario.checkData(parsed.result.data);
    if (problem) throw new Error(`scenario ${scenario.key} at ${url}: ${problem}`);
  };
}

/** One subgraph fetch; `parse` reads and checks the answer in full, `cheap` only its status and an `"errors"` key. */
async function fetchSubgraph(poster: GraphQLPoster, url: string, operation: SubgraphOperation, variables: object | undefined, check: 'parse' | 'cheap') {
  const payload = { query: operation.query, operationName: operation.operationName, variables };
  const answer = await poster.post(url, payload, await subgraphHeaders(operation.subgraph));
  if (check === 'cheap') {
    if (!looksSuccessful(answer.status, answer.body)) throw new BadAnswer(`${operation.operationName}: status ${answer.status}, ${answer.body.slice(0, 300)}`);
    return undefined;
  }
  const parsed = parseGraphQL(answer);
  if ('problem' in parsed) throw new BadAnswer(`${operation.operationName}: ${parsed.problem}`);
  return parsed.result.data;
}

function checkEntities(operation: EntityOperation, data: unknown, expected: number): void {
  const entities = (data as { _entities?: unknown[] } | undefined)?._entities;
  const complete = (entity: unknown) => typeof entity === 'object' && entity !== null && Object.values(entity).every((v) => v !== null);
  if (!Array.isArray(entities) || entities.length !== expected || !entities.every(complete)) {
    throw new Error(`${operation.operationName}: expected ${expected} complete entities, got ${JSON.stringify(data).slice(0, 300)}`);
  }
}

/**
 * The limit: the scenario's subgraph fetches sent straight to the subgraphs, as the gateway's
 * plan sends them: `first`, then every `_entities` fetch at once. Strict checks every answer in
 * full (warm-up); otherwise a POI answer is only checked for its status and an `"errors"` key.
 */
export function limitRequest(poster: GraphQLPoster, subgraphUrls: Record<string, string>, scenario: Scenario, plan: LimitPlan, strict: boolean): Iteration {
  return async () => {
    // The registry's answer is read for its representations, as the gateway reads it.
    const firstCheck = strict || plan.entities.length > 0 ? 'parse' : 'cheap';
    const firstData = await fetchSubgraph(poster, subgraphUrls[plan.first.subgraph], plan.first, undefined, firstCheck);
    if (strict && plan.entities.length === 0) {
      const problem = scenario.checkData(firstData);
      if (problem) throw new Error(`limit of scenario ${scenario.key}: ${problem}`);
    }
    await Promise.all(
      plan.entities.map(async (operation) => {
        const representations = representationsFor(operation, firstData);
        if (representations.length === 0) throw new BadAnswer(`${plan.first.operationName} returned no ${operation.typeName}`);
        const data = await fetchSubgraph(poster, subgraphUrls[operation.subgraph], operation, { representations }, strict ? 'parse' : 'cheap');
        if (strict) checkEntities(operation, data, representations.length);
      }),
    );
  };
}

/**
 * A gateway under autocannon for `durationS`: every response's latency, and the answers that were
 * not 2xx or had errors. The client headers are asked for once per run.
 */
export async function autocannonRun(url: string, scenario: Scenario, connections: number, durationS: number): Promise<LoopResult> {
  const headers = await clientHeaders();
  const latenciesMs: number[] = [];
  let badAnswers = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: durationS,
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: scenario.query }),
        requests: [
          {
            onResponse: (status, body) => {
              if (looksSuccessful(status, body)) return;
              badAnswers++;
              firstError ??= `status ${status}: ${body.slice(0, 300)}`;
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latenciesMs.push(responseTime));
    instance.on('reqError', (error) => (firstError ??= String(error)));
  });
  return { sent: result.requests.sent, latenciesMs, seconds: (performance.now() - started) / 1000, badAnswers, failures: result.errors, firstError };
}
