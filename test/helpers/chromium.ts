// Chromium for the dashboard suites: Debian's /usr/bin/chromium driven by playwright-core.
// Without it a suite is skipped, unless CI is set: then it fails.
import fs from 'node:fs';

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
export const ON_CI = Boolean(process.env.CI) && !['false', '0'].includes(process.env.CI!.toLowerCase());
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);

/** `describe`, or `describe.skip` (with a warning) where there is no Chromium and CI is not set. */
export function chromiumSuite(file: string): jest.Describe {
  if (!HAVE_CHROMIUM && !ON_CI) {
    console.warn(`${file} skipped: no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium\`). Under CI=true this suite fails instead.`);
  }
  return HAVE_CHROMIUM || ON_CI ? describe : describe.skip;
}
