// Builds the dashboard page (dashboard/ → dashboard/dist/) with Vite.
//
//   npm run build:dashboard                      always build
//   tsx scripts/build-dashboard.ts --if-stale    build only when dashboard/dist is missing or
//                                                older than its sources (npm start and npm test
//                                                run this first: prestart, pretest)
//
// "Stale" compares a hash of the inputs (every file under dashboard/ but dist/, the operations
// the page sends, and the installed Vite and Chart.js versions) with the hash written next to
// the last build, so it holds across checkouts, whatever the files' modification times.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
export const DASHBOARD_DIR = path.join(ROOT, 'dashboard');
export const DASHBOARD_DIST = path.join(DASHBOARD_DIR, 'dist');
const STAMP = path.join(DASHBOARD_DIST, '.build-stamp.json');
/**
 * What the page imports from outside dashboard/: its operation (dashboard/src/api.ts), the CSV rule
 * (dashboard/src/csv.ts) and the live channel's generated `Change` type (dashboard/src/live.ts).
 */
const OUTSIDE_INPUTS = ['operations/dashboard-overview.graphql', 'shared/csv.ts', 'gateway/generated/live.ts'];
const PACKAGES = ['vite', 'chart.js'];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !(entry.isDirectory() && (entry.name === 'dist' || entry.name === 'node_modules')))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
    })
    .sort();
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'missing';
  }
}

/** A hash over everything the build reads. */
export function dashboardInputHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...filesUnder(DASHBOARD_DIR), ...OUTSIDE_INPUTS.map((f) => path.join(ROOT, f))]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  for (const name of PACKAGES) hash.update(`${name}@${packageVersion(name)}\0`);
  return hash.digest('hex');
}

/** True when dashboard/dist holds a build of the current sources. */
export function dashboardIsFresh(): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8')) as { hash?: string };
    return stamp.hash === dashboardInputHash() && fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'));
  } catch {
    return false;
  }
}

/** Runs `vite build`; throws with Vite's output when it fails. */
export function buildDashboard(): void {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(vite)) throw new Error('Vite is not installed (a devDependency): run `npm ci` to build the dashboard.');
  const hash = dashboardInputHash();
  const started = Date.now();
  const result = spawnSync(process.execPath, [vite, 'build', '--config', path.join(DASHBOARD_DIR, 'vite.config.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) {
    throw new Error(`Building the dashboard failed:\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`);
  }
  fs.writeFileSync(STAMP, `${JSON.stringify({ hash, builtAt: new Date().toISOString() })}\n`);
  const assets = fs.readdirSync(path.join(DASHBOARD_DIST, 'assets'));
  const kib = assets.reduce((sum, f) => sum + fs.statSync(path.join(DASHBOARD_DIST, 'assets', f)).size, 0) / 1024;
  console.log(`dashboard built in ${Date.now() - started} ms: dashboard/dist (${assets.length} assets, ${kib.toFixed(0)} KiB)`);
}

/** Builds when dashboard/dist is missing or stale; returns whether it built. */
export function ensureDashboardBuilt(): boolean {
  if (dashboardIsFresh()) return false;
  buildDashboard();
  return true;
}

if (require.main === module) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    if (ifStale) {
      if (dashboardIsFresh()) console.log('dashboard is up to date: dashboard/dist');
      else if (!fs.existsSync(path.join(ROOT, 'node_modules', 'vite'))) {
        // A production install (npm ci --omit=dev) has no Vite: start anyway; /dashboard then
        // says how to build it.
        console.warn('dashboard not built: Vite is not installed (npm ci installs it); /dashboard will say so');
      } else buildDashboard();
    } else {
      buildDashboard();
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
