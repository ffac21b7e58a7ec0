import { autocannonRun, closedLoop, gatewayRequest, Iteration, limitRequest, LoopResult } from './drive';
import { GraphQLPoster } from './http';
import { loadFigures, LoadFigures, processCpuMs, sampleResidentMemory, sqlStatementsPerRequest, sqlStatementsWhenSettled } from './measure';
import type { LoadOptions } from './options';
import { Scenario, SCENARIOS, ScenarioKey, TargetKey } from './scenarios';
import type { BenchStack, ServiceProcess } from './services';

export interface Measurement {
  scale: number;
  scenario: ScenarioKey;
  target: TargetKey;
  figures: LoadFigures;
  /** Peak resident memory of the gateway process during the measured runs; null for the limit (no gateway). */
  peakRssMiB: number | null;
  /** SQL statements per request, per subgraph, over sequential requests. */
  sqlPerRequest: Record<string, number>;
  sqlPerRequestTotal: number;
  /** All SQL statements of the measured runs ÷ the requests they sent: less than sequentially means work was shared or cached. */
  sqlPerRequestUnderLoad: number;
  /**
   * CPU time of the gateway process (user + system) over the measured runs ÷ the requests sent;
   * null for the limit. Unlike req/s it hardly depends on what else the machine is doing.
   */
  cpuMsPerRequest: number | null;
  /** CPU time of all subgraph processes together over the measured runs ÷ the requests sent: what one request through this target costs the subgraphs. */
  subgraphCpuMsPerRequest: number;
  /** The first error of the measured runs, if there were any. */
  firstError?: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** How one target is sent a scenario: a fully checked request (warm-up, SQL counting) and a measured run. */
interface Driver {
  scenario: Scenario;
  target: TargetKey;
  checked: Iteration;
  measured(seconds: number): Promise<LoopResult>;
  /** The gateway process, whose memory is sampled. */
  process?: ServiceProcess;
}

function driverFor(stack: BenchStack, scenario: Scenario, target: TargetKey, poster: GraphQLPoster, connections: number): Driver {
  if (target === 'limit') {
    const plan = scenario.limit;
    if (!plan) throw new Error(`scenario ${scenario.key} has no limit plan`);
    const urls = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.url]));
    return {
      scenario,
      target,
      checked: limitRequest(poster, urls, scenario, plan, true),
      // Fresh connections per slice, like autocannon's: kept-alive ones idle while the other targets
      // run, and a server closing an idle one as it is reused would count as an error.
      measured: async (seconds) => {
        const own = new GraphQLPoster(connections);
        try {
          return await closedLoop(connections, seconds * 1000, limitRequest(own, urls, scenario, plan, false), false);
        } finally {
          own.close();
        }
      },
    };
  }
  const service = stack[target];
  return {
    scenario,
    target,
    checked: gatewayRequest(poster, service.url, scenario),
    measured: (seconds) => autocannonRun(service.url, scenario, connections, seconds),
    process: service,
  };
}

interface Accumulated {
  loops: LoopResult[];
  peakRssMiB: number | null;
  statements: number;
  cpuMs: number;
  subgraphCpuMs: number;
}

async function measuredSlice(stack: BenchStack, driver: Driver, seconds: number, into: Accumulated): Promise<void> {
  const statementsBefore = await sqlStatementsWhenSettled(stack.subgraphs);
  const memory = driver.process ? sampleResidentMemory(driver.process.pid) : undefined;
  const cpuBefore = driver.process ? processCpuMs(driver.process.pid) : 0;
  const subgraphsCpu = () => stack.subgraphs.reduce((total, subgraph) => total + processCpuMs(subgraph.pid), 0);
  const subgraphCpuBefore = subgraphsCpu();
  try {
    into.loops.push(await driver.measured(seconds));
  } finally {
    if (memory) into.peakRssMiB = Math.max(into.peakRssMiB ?? 0, memory.stop());
    if (driver.process) into.cpuMs += processCpuMs(driver.process.pid) - cpuBefore;
    into.subgraphCpuMs += subgraphsCpu() - subgraphCpuBefore;
  }
  into.statements += (await sqlStatementsWhenSettled(stack.subgraphs)) - statementsBefore;
}

/**
 * Scenarios sending the same query, each against each of its targets: every target is warmed up
 * (answers checked in full; the first bad one stops the bench) and its SQL statements per
 * request counted; then the measured time runs in interleaved slices (limit, gateway, Hive,
 * limit, …), so a change in the machine's load hits every target alike.
 */
async function measureTogether(stack: BenchStack, scenarios: Scenario[], options: LoadOptions): Promise<Measurement[]> {
  const poster = new GraphQLPoster(options.connections);
  try {
    const pairs = scenarios.flatMap((scenario) => scenario.targets.map((target) => ({ scenario, target })));
    const drivers = pairs.map(({ scenario, target }) => driverFor(stack, scenario, target, poster, options.connections));
    const sqlPerRequest: Record<string, number>[] = [];
    for (const driver of drivers) {
      await closedLoop(options.connections, options.warmupSeconds * 1000, driver.checked, true);
      sqlPerRequest.push(await sqlStatementsPerRequest(stack.subgraphs, options.statementRequests, driver.checked));
    }
    const accumulated = drivers.map((): Accumulated => ({ loops: [], peakRssMiB: null, statements: 0, cpuMs: 0, subgraphCpuMs: 0 }));
    const sliceSeconds = options.durationSeconds / options.slices;
    for (let slice = 0; slice < options.slices; slice++) {
      for (const [i, driver] of drivers.entries()) await measuredSlice(stack, driver, sliceSeconds, accumulated[i]);
    }
    return drivers.map((driver, i) => {
      const { loops, peakRssMiB, statements, cpuMs, subgraphCpuMs } = accumulated[i];
      const latencies = loops.flatMap((loop) => loop.latenciesMs);
      const sum = (pick: (loop: LoopResult) => number) => loops.reduce((total, loop) => total + pick(loop), 0);
      const figures = loadFigures(
        latencies,
        sum((l) => l.seconds),
        sum((l) => l.badAnswers),
        sum((l) => l.failures),
      );
      const sqlPerRequestTotal = Object.values(sqlPerRequest[i]).reduce((total, n) => total + n, 0);
      const measurement: Measurement = {
        scale: stack.seedScale,
        scenario: driver.scenario.key,
        target: driver.target,
        figures,
        peakRssMiB,
        sqlPerRequest: sqlPerRequest[i],
        sqlPerRequestTotal,
        sqlPerRequestUnderLoad:
          statements /
          Math.max(
            1,
            sum((l) => l.sent),
          ),
        cpuMsPerRequest: driver.process
          ? cpuMs /
            Math.max(
              1,
              sum((l) => l.sent),
            )
          : null,
        subgraphCpuMsPerRequest:
          subgraphCpuMs /
          Math.max(
            1,
            sum((l) => l.sent),
          ),
        ...(figures.errors > 0 ? { firstError: loops.find((l) => l.firstError)?.firstError } : {}),
      };
      log(
        `  ${driver.scenario.key} ${driver.target.padEnd(13)} ${figures.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${figures.p50.toFixed(2)} ms  ` +
          `p99 ${figures.p99.toFixed(2)} ms  ${measurement.cpuMsPerRequest === null ? '' : `CPU ${measurement.cpuMsPerRequest.toFixed(2)} ms/req  `}subgraphs' CPU ${measurement.subgraphCpuMsPerRequest.toFixed(2)} ms/req  errors ${figures.errors}  SQL/req ${sqlPerRequestTotal} (under load ${measurement.sqlPerRequestUnderLoad.toFixed(1)})` +
          (measurement.firstError ? `\n    first error: ${measurement.firstError}` : ''),
      );
      return measurement;
    });
  } finally {
    poster.close();
  }
}

/** Every scenario on a running stack; those asking the same query (A and D) are measured together. */
export async function measureStack(stack: BenchStack, options: LoadOptions): Promise<Measurement[]> {
  const byQuery = new Map<string, Scenario[]>();
  for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.key)))
    byQuery.set(scenario.query, [...(byQuery.get(scenario.query) ?? []), scenario]);
  const measurements: Measurement[] = [];
  for (const scenarios of byQuery.values()) measurements.push(...(await measureTogether(stack, scenarios, options)));
  return measurements;
}
