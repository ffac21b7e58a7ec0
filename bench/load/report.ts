import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { PROJECT_ROOT } from '../../shared/config';
import type { LoadOptions } from './options';
import type { Measurement } from './run';
import { SCENARIOS, ScenarioKey, TargetKey } from './scenarios';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  commit: string;
  /** 1-minute load average when the bench started: above 0 means something else was running too. */
  loadAverageAtStart: number;
}

export interface ScaleRatios {
  scale: number;
  /** This gateway's requests/s ÷ the Hive gateway's. */
  gatewayVsHiveThroughput: Partial<Record<ScenarioKey, number>>;
  /** This gateway's p50 ÷ the limit's p50. */
  gatewayVsLimitP50: Partial<Record<ScenarioKey, number>>;
  /** This gateway's CPU ms per request ÷ the Hive gateway's (lower: this gateway does less per request). */
  gatewayVsHiveCpu: Partial<Record<ScenarioKey, number>>;
  /** D ÷ A: the gateway with RESPONSE_CACHE=memory ÷ the plain gateway, requests/s on the same query. */
  cachedVsPlainThroughput: number;
}

/** Last scale ÷ first scale, per scenario and target. */
export interface Growth {
  scenario: ScenarioKey;
  target: TargetKey;
  fromScale: number;
  toScale: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  peakRss: number | null;
  sqlPerRequest: { from: number; to: number; equal: boolean };
}

export interface LoadReport {
  benchmark: 'load';
  date: string;
  machine: Machine;
  options: LoadOptions;
  measurements: Measurement[];
  ratios: ScaleRatios[];
  growth: Growth[];
  totalSeconds: number;
}

export const TARGET_NAMES: Record<TargetKey, string> = {
  limit: 'limit (subgraphs direct)',
  gateway: 'this gateway',
  hive: 'Hive gateway',
  cachedGateway: 'this gateway, RESPONSE_CACHE=memory',
};

function gitCommit(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: gitCommit(),
    loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function find(measurements: Measurement[], scale: number, scenario: ScenarioKey, target: TargetKey): Measurement | undefined {
  return measurements.find((m) => m.scale === scale && m.scenario === scenario && m.target === target);
}

function ratiosAt(measurements: Measurement[], scale: number): ScaleRatios {
  const ratios: ScaleRatios = { scale, gatewayVsHiveThroughput: {}, gatewayVsLimitP50: {}, gatewayVsHiveCpu: {}, cachedVsPlainThroughput: Number.NaN };
  for (const key of ['A', 'B', 'C'] as const) {
    const gateway = find(measurements, scale, key, 'gateway');
    const hive = find(measurements, scale, key, 'hive');
    const limit = find(measurements, scale, key, 'limit');
    if (gateway && hive) ratios.gatewayVsHiveThroughput[key] = round(gateway.figures.requestsPerSecond / hive.figures.requestsPerSecond);
    if (gateway?.cpuMsPerRequest && hive?.cpuMsPerRequest) ratios.gatewayVsHiveCpu[key] = round(gateway.cpuMsPerRequest / hive.cpuMsPerRequest);
    if (gateway && limit) ratios.gatewayVsLimitP50[key] = round(gateway.figures.p50 / limit.figures.p50);
  }
  const cached = find(measurements, scale, 'D', 'cachedGateway');
  const plain = find(measurements, scale, 'A', 'gateway');
  if (cached && plain) ratios.cachedVsPlainThroughput = round(cached.figures.requestsPerSecond / plain.figures.requestsPerSecond);
  return ratios;
}

function growthOf(measurements: Measurement[], fromScale: number, toScale: number): Growth[] {
  const rows: Growth[] = [];
  for (const scenario of SCENARIOS) {
    for (const target of scenario.targets) {
      const from = find(measurements, fromScale, scenario.key, target);
      const to = find(measurements, toScale, scenario.key, target);
      if (!from || !to) continue;
      const ratio = (pick: (m: Measurement) => number) => round(pick(to) / pick(from));
      const sameSql = Object.keys({ ...from.sqlPerRequest, ...to.sqlPerRequest }).every((s) => from.sqlPerRequest[s] === to.sqlPerRequest[s]);
      rows.push({
        scenario: scenario.key,
        target,
        fromScale,
        toScale,
        requestsPerSecond: ratio((m) => m.figures.requestsPerSecond),
        p50: ratio((m) => m.figures.p50),
        p95: ratio((m) => m.figures.p95),
        p99: ratio((m) => m.figures.p99),
        peakRss: from.peakRssMiB !== null && to.peakRssMiB !== null ? round(to.peakRssMiB / from.peakRssMiB) : null,
        sqlPerRequest: { from: from.sqlPerRequestTotal, to: to.sqlPerRequestTotal, equal: sameSql },
      });
    }
  }
  return rows;
}

const SCENARIO_ORDER = SCENARIOS.map((s) => s.key);
const TARGET_ORDER = Object.keys(TARGET_NAMES);
const byScaleScenarioTarget = (a: Measurement, b: Measurement) =>
  a.scale - b.scale ||
  SCENARIO_ORDER.indexOf(a.scenario) - SCENARIO_ORDER.indexOf(b.scenario) ||
  TARGET_ORDER.indexOf(a.target) - TARGET_ORDER.indexOf(b.target);

export function buildReport(measurements: Measurement[], options: LoadOptions, machine: Machine, date: Date, totalSeconds: number): LoadReport {
  const first = options.scales[0];
  const last = options.scales[options.scales.length - 1];
  return {
    benchmark: 'load',
    date: date.toISOString(),
    machine,
    options,
    measurements: [...measurements].sort(byScaleScenarioTarget).map((m) => ({
      ...m,
      figures: {
        ...m.figures,
        seconds: round(m.figures.seconds),
        requestsPerSecond: round(m.figures.requestsPerSecond, 1),
        p50: round(m.figures.p50),
        p95: round(m.figures.p95),
        p99: round(m.figures.p99),
      },
      peakRssMiB: m.peakRssMiB === null ? null : round(m.peakRssMiB, 1),
      sqlPerRequestUnderLoad: round(m.sqlPerRequestUnderLoad, 1),
    })),
    ratios: options.scales.map((scale) => ratiosAt(measurements, scale)),
    growth: first === last ? [] : growthOf(measurements, first, last),
    totalSeconds: round(totalSeconds, 1),
  };
}

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
}
const times = (value: number | null | undefined) => (value === null || value === undefined || Number.isNaN(value) ? '—' : `×${value.toFixed(2)}`);
const title = (key: ScenarioKey) => `${key} ${SCENARIOS.find((s) => s.key === key)!.title}`;

export function markdownReport(report: LoadReport): string {
  const { machine, options } = report;
  const lines = [
    `## npm run bench — ${report.date.slice(0, 10)}`,
    '',
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.os}; commit ${machine.commit}; ` +
      `load average ${machine.loadAverageAtStart} at start. ${options.connections} connections, ${options.durationSeconds} s per row ` +
      `(${options.slices} slice${options.slices === 1 ? '' : 's'}, interleaved with the other targets of the same query) after ${options.warmupSeconds} s warm-up; SQL/req over ${options.statementRequests} sequential requests; both gateways' sharing of identical subgraph queries in flight ` +
      `${options.deduplicate ? 'on (their default)' : 'off'}; subgraphs on ${options.mysql ? 'MariaDB (`--mysql`)' : 'their embedded databases (SQLite files)'}. Total ${report.totalSeconds} s.`,
    '',
    "| scenario | target | seed scale | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | CPU ms/req | subgraphs' CPU ms/req | SQL/req | SQL/req under load |",
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.measurements.map(
      (m) =>
        `| ${title(m.scenario)} | ${TARGET_NAMES[m.target]} | ${m.scale} | ${fmt(m.figures.requestsPerSecond)} | ${fmt(m.figures.p50)} | ` +
        `${fmt(m.figures.p95)} | ${fmt(m.figures.p99)} | ${m.figures.errors} | ${fmt(m.peakRssMiB)} | ${fmt(m.cpuMsPerRequest)} | ${fmt(m.subgraphCpuMsPerRequest)} | ${fmt(m.sqlPerRequestTotal)} | ${fmt(m.sqlPerRequestUnderLoad)} |`,
    ),
    '',
    `| ratio | ${report.ratios.map((r) => `seed scale ${r.scale}`).join(' | ')} |`,
    `| --- | ${report.ratios.map(() => '---:').join(' | ')} |`,
    ...(['A', 'B', 'C'] as const).map(
      (key) => `| ${key}: this gateway ÷ Hive, req/s | ${report.ratios.map((r) => times(r.gatewayVsHiveThroughput[key])).join(' | ')} |`,
    ),
    ...(['A', 'B', 'C'] as const).map(
      (key) => `| ${key}: this gateway ÷ Hive, CPU ms/req (lower is better) | ${report.ratios.map((r) => times(r.gatewayVsHiveCpu[key])).join(' | ')} |`,
    ),
    ...(['A', 'B', 'C'] as const).map(
      (key) => `| ${key}: this gateway ÷ limit, p50 | ${report.ratios.map((r) => times(r.gatewayVsLimitP50[key])).join(' | ')} |`,
    ),
    `| D ÷ A: response cache ÷ plain, req/s | ${report.ratios.map((r) => times(r.cachedVsPlainThroughput)).join(' | ')} |`,
  ];
  if (report.growth.length > 0) {
    const { fromScale, toScale } = report.growth[0];
    const overview = report.growth.find((g) => g.scenario === 'A' && g.target === 'gateway');
    lines.push(
      '',
      `Seed scale ${toScale} ÷ seed scale ${fromScale}` + (overview ? ` (A through this gateway: p99 ${times(overview.p99)}):` : ':'),
      '',
      '| scenario | target | req/s | p50 | p95 | p99 | peak RSS | SQL/req |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...report.growth.map(
        (g) =>
          `| ${title(g.scenario)} | ${TARGET_NAMES[g.target]} | ${times(g.requestsPerSecond)} | ${times(g.p50)} | ${times(g.p95)} | ${times(g.p99)} | ` +
          `${times(g.peakRss)} | ${fmt(g.sqlPerRequest.from)} → ${fmt(g.sqlPerRequest.to)}${g.sqlPerRequest.equal ? ' (same)' : ' **(differs)**'} |`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
