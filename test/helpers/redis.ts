import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { freePort } from './process-stack';

export const REDIS_SERVER = '/usr/bin/redis-server';
/**
 * Whether tests that need Redis run: when redis-server is installed, and always on CI (CI=true),
 * where they fail without it (.ci/run installs it). Elsewhere they are skipped, visibly: pass
 * `redisTitle(title)` as the test's title, and jest and .ci/run count it as skipped.
 */
export const RUN_REDIS_TESTS = fs.existsSync(REDIS_SERVER) || Boolean(process.env.CI);
export const redisTitle = (title: string) => `${title}${RUN_REDIS_TESTS ? '' : ` (skipped: ${REDIS_SERVER} is not installed)`}`;
export const redisIt = (title: string, test: () => Promise<void>, timeout?: number) => (RUN_REDIS_TESTS ? it : it.skip)(redisTitle(title), test, timeout);

/** A throwaway Redis on a free loopback port. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (!fs.existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: .ci/run installs it`);
  const port = await freePort();
  const server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true))).on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    },
  };
}
