// Chromium for the dashboard suites: Debian's /usr/bin/chromium driven by playwright-core.
// Without it a suite is skipped, unless CI is set: then it fails.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureDashboardBuilt } from '../../scripts/build-dashboard';
import { startStack, type Stack } from './stack';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Where the dashboard suites write their screenshots (not in git). */
export const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');
export const ON_CI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!.toLowerCase());
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

/** `describe`, or `describe.skip` (with a warning) where there is no Chromium and CI is not set. */
export function chromiumSuite(file: string): jest.Describe {
  if (!HAVE_CHROMIUM && !ON_CI) {
    console.warn(`${file} skipped: no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium\`). Under CI=true this suite fails instead.`);
  }
  return HAVE_CHROMIUM || ON_CI ? describe : describe.skip;
}

export interface DashboardStack {
  stack: Stack;
  browser: Browser;
  /** Closes Chromium, then stops the stack. */
  stop(): Promise<void>;
}

/**
 * The set-up of a dashboard suite: the dashboard built (when stale), a stack (helpers/stack.ts)
 * serving it at /dashboard, and Chromium, started side by side. When one of the two fails to start,
 * the other is closed before the error is thrown.
 */
export async function startDashboardStack(): Promise<DashboardStack> {
  if (!HAVE_CHROMIUM) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  ensureDashboardBuilt();
  const [stack, browser] = await Promise.allSettled([startStack(), chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })]);
  if (stack.status === 'rejected' || browser.status === 'rejected') {
    if (browser.status === 'fulfilled') await browser.value.close();
    if (stack.status === 'fulfilled') await stack.value.stop();
    throw stack.status === 'rejected' ? stack.reason : (browser as PromiseRejectedResult).reason;
  }
  return {
    stack: stack.value,
    browser: browser.value,
    stop: async () => {
      await browser.value.close();
      await stack.value.stop();
    },
  };
}
