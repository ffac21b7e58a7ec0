import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The environment for commands in a copy: no database URLs, so it runs on embedded databases. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.endsWith('_DATABASE_URL')));
}

/** A throwaway copy of the project (its tracked and new files), sharing node_modules. */
export function copyProject(): { root: string; run(script: string, args: string[]): { status: number; stdout: string; stderr: string }; remove(): void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'poi-federation-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && fs.existsSync(path.join(PROJECT_ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return {
    root,
    run(script, args) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Every file below `root` (node_modules aside) with its content, to compare two trees. */
export function snapshotFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      // Not the project's files: dependencies, history, and the copy's own generated local secrets.
      if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === '.secrets') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(root, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name)).sort();
}
