// `npm run build`: the compiled build in dist/, what production runs with plain `node`.
//
//   1. the dashboard page (dashboard/dist/), when missing or stale (Vite, a devDependency);
//   2. TypeScript → JavaScript with source maps (tsconfig.build.json): every service and the
//      scripts a production container runs, in the same tree as the sources
//      (dist/gateway/src/index.js, dist/scripts/start-subgraph.js, dist/scripts/migrate.js);
//   3. the files the services read at run time, beside the code that reads them (BUILD_ASSETS).
//
// dist/ is then a project root of its own (shared/config.ts PROJECT_ROOT): run it from the
// checkout, `NODE_ENV=production node dist/gateway/src/index.js`, with the
// checkout's node_modules (`npm ci --omit=dev` is enough). dist/ is rebuilt whole every time.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDashboardBuilt } from './build-dashboard';

const ROOT = path.resolve(__dirname, '..');
export const DIST = path.join(ROOT, 'dist');

/**
 * What the services read from disk at run time, relative to the project root: single files, and
 * folders with the extensions taken from them (every `readFileSync`/`__dirname`-relative read:
 * poi-kit/schema.ts, subgraphs/collaboration/src/schema.ts, poi-kit/subgraph.ts (a POI's own
 * schema.graphql), poi-kit/seed.ts (data/libraries.csv), subgraphs/network/src/schema.ts (its
 * schema.graphql), gateway/src/ide.ts (operations/), gateway/src/dashboard.ts (dashboard/dist/), shared/registry.ts,
 * shared/config.ts (SUPERGRAPH_PATH), shared/graphql/common.ts (wise-settings.graphql)).
 */
export const BUILD_ASSETS: readonly { from: string; extensions?: readonly string[] }[] = [
  { from: 'registry.json' },
  { from: 'supergraph.graphql' },
  { from: 'poi-kit', extensions: ['.graphql'] },
  { from: 'subgraphs', extensions: ['.graphql', '.csv'] },
  { from: 'shared', extensions: ['.graphql'] },
  { from: 'operations', extensions: ['.graphql'] },
  { from: 'dashboard/dist' },
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/** Copies BUILD_ASSETS from `root` into `dist`; returns how many files. */
export function copyAssets(root: string, dist: string): number {
  let copied = 0;
  for (const { from, extensions } of BUILD_ASSETS) {
    const source = path.join(root, from);
    if (!fs.existsSync(source)) throw new Error(`${from} is missing: the services read it at run time`);
    const files = fs.statSync(source).isDirectory() ? filesUnder(source).filter((f) => !extensions || extensions.includes(path.extname(f))) : [source];
    for (const file of files) {
      const target = path.join(dist, path.relative(root, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
      copied += 1;
    }
  }
  return copied;
}

function compile(outDir: string): void {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal})`);
}

/** Builds the whole of dist/ anew (into `outDir`, default dist/; the tests build into a throwaway folder). */
export function build(outDir = DIST): { scripts: number; assets: number } {
  ensureDashboardBuilt();
  fs.rmSync(outDir, { recursive: true, force: true });
  compile(outDir);
  const assets = copyAssets(ROOT, outDir);
  return { scripts: filesUnder(outDir).filter((f) => f.endsWith('.js')).length, assets };
}

if (require.main === module) {
  try {
    const started = Date.now();
    const { scripts, assets } = build();
    console.log(`built dist/ in ${Date.now() - started} ms: ${scripts} JavaScript files with source maps, ${assets} assets`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
