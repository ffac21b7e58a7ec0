import fs from 'node:fs';

/** What one target did under load for the run's duration. */
export interface LoadFigures {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Figures from the latency (ms) of every answered request. Bad answers (not 2xx, or GraphQL
 * errors) and failures (no answer) are errors and do not count as throughput.
 */
export function loadFigures(latenciesMs: number[], seconds: number, badAnswers: number, failures: number): LoadFigures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    requests: sorted.length + failures,
    seconds,
    requestsPerSecond: (sorted.length - badAnswers) / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: badAnswers + failures,
  };
}

const SAMPLE_EVERY_MS = 100;

function residentMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Samples a process's resident memory (/proc/<pid>/status VmRSS) until stopped; returns the peak in MiB. */
export function sampleResidentMemory(pid: number): { stop(): number } {
  let peak = residentMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentMiB(pid));
  }, SAMPLE_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, residentMiB(pid));
    },
  };
}

/** CPU time a process has used so far, user and system, in ms (/proc/<pid>/stat utime + stime, 100 ticks a second on Linux). */
export function processCpuMs(pid: number): number {
  // The command name (2nd field) is in brackets and may hold spaces: count fields after it.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const SQL_COUNT = /^subgraph_sql_duration_seconds_count\{[^}]*\}\s+(\d+)/gm;

/** SQL statements one subgraph has run so far: `subgraph_sql_duration_seconds_count` summed over its statement kinds. */
export async function sqlStatementsSoFar(metricsUrl: string): Promise<number> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered ${response.status}`);
  let total = 0;
  for (const match of (await response.text()).matchAll(SQL_COUNT)) total += Number(match[1]);
  return total;
}

/** SQL statements all the subgraphs have run so far. */
export async function sqlStatementsInTotal(subgraphs: readonly { metricsUrl: string }[]): Promise<number> {
  const counts = await Promise.all(subgraphs.map((s) => sqlStatementsSoFar(s.metricsUrl)));
  return counts.reduce((sum, n) => sum + n, 0);
}

const SETTLE_CHECK_MS = 150;
const SETTLE_LIMIT_MS = 5_000;

/**
 * The same total once the subgraphs are quiet: a load generator stops with requests in flight,
 * which the gateway still completes. Bounded: after SETTLE_LIMIT_MS the last count is taken.
 */
export async function sqlStatementsWhenSettled(subgraphs: readonly { metricsUrl: string }[]): Promise<number> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let previous = await sqlStatementsInTotal(subgraphs);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_CHECK_MS));
    const current = await sqlStatementsInTotal(subgraphs);
    if (current === previous) return current;
    previous = current;
  }
  return previous;
}

/**
 * SQL statements per request, per subgraph: every subgraph's count before and after `requests`
 * sequential calls of `send`, divided by `requests`.
 */
export async function sqlStatementsPerRequest(
  subgraphs: readonly { name: string; metricsUrl: string }[],
  requests: number,
  send: () => Promise<void>,
): Promise<Record<string, number>> {
  const counts = () => Promise.all(subgraphs.map((s) => sqlStatementsSoFar(s.metricsUrl)));
  const before = await counts();
  for (let i = 0; i < requests; i++) await send();
  const after = await counts();
  return Object.fromEntries(subgraphs.map((s, i) => [s.name, (after[i] - before[i]) / requests]));
}
