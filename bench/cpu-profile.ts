// `npx tsx bench/cpu-profile.ts <file.cpuprofile> [--top 25]`: a V8 CPU profile (`node --cpu-prof`,
// e.g. the gateway's under `npm run bench -- --scenarios C --gateway-cpu-prof <dir>`) summarised
// by self time (after the first --skip seconds: start-up): the share of the profile's time per package (node_modules/<package>, node:
// internals, this project's own files, idle, GC) and the functions with the most self time.
// Shares are of the busy time (idle excluded) unless said; idle is printed on its own.
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: its npm package, `node:internals`, `project:<top folder>` or V8's pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node: internals';
  const project = /\/(gateway|shared|poi-kit|subgraphs|scripts|bench)\//.exec(url);
  return project ? `project: ${project[1]}/` : url;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
}

/** Self time per package and per function, in ms, largest first. */
export function summarise(profile: CpuProfile, skipMs = 0): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs >= skipMs * 1000) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    const ms = us / 1000;
    totalMs += ms;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const where = url ? ` ${url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(dist\/)?(?=gateway|shared)/, '')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, idleMs, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

if (require.main === module) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, skip: { type: 'string', default: '0' } },
  });
  if (positionals.length !== 1) {
    console.error('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [--top 25] [--skip <s>: leave out the first seconds, start-up]');
    process.exit(2);
  }
  const summary = summarise(JSON.parse(fs.readFileSync(positionals[0], 'utf8')) as CpuProfile, Number(values.skip) * 1000);
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1)} %`;
  const top = Number(values.top);
  console.log(
    `profile ${(summary.totalMs / 1000).toFixed(1)} s, idle ${((100 * summary.idleMs) / summary.totalMs).toFixed(1)} %, busy ${(busy / 1000).toFixed(1)} s`,
  );
  console.log('\n| package (self time) | ms | share of busy |\n| --- | ---: | ---: |');
  for (const [name, ms] of summary.byPackage.slice(0, top)) console.log(`| ${name} | ${ms.toFixed(0)} | ${pct(ms)} |`);
  console.log('\n| function (self time) | ms | share of busy |\n| --- | ---: | ---: |');
  for (const [name, ms] of summary.byFunction.slice(0, top)) console.log(`| ${name.replace(/\|/g, '\\|')} | ${ms.toFixed(0)} | ${pct(ms)} |`);
}
