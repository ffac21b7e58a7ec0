// The dashboard live (README "Live updates"), in a real Chromium against a real stack: the page
// subscribes to the gateway's /graphql/stream, shows that it is live, and when a request is
// created through the API the POI's open-request count on its card changes without a reload;
// when the gateway ends and refuses the streams, the page says it is no longer live and falls
// back to its timer.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunningGateway } from '../gateway/src/gateway';
import { LIVE_PATH } from '../gateway/src/live';
import { ARTIFACTS, chromiumSuite, startDashboardStack } from './helpers/chromium';
import { postGraphQL, type Stack } from './helpers/stack';
import { until } from './helpers/live-stream';

const suite = chromiumSuite('test/live-dashboard.test.ts');
const integer = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 0 });
const OPEN_COUNT = '{ cubiss { stats { openTicketCount } } }';
const CREATE_TICKET =
  'mutation { cubiss { createTicket(input: { libraryId: "2", title: "Live dashboard: pas geweigerd", category: CIRCULATION, priority: P2 }) { id status } } }';

suite('live dashboard (/dashboard in Chromium, /graphql/stream)', () => {
  let stack: Stack;
  let browser: Browser;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ stack, browser, stop } = await startDashboardStack());
  }, 180_000);

  afterAll(() => stop?.());

  it('shows it is live, updates a card after a write without a reload, and falls back when the channel stops', async () => {
    // A gateway of its own (the same subgraphs), whose channel this test stops; anonymous callers
    // read the network (network:read), as with npm start.
    const gateway = (await stack.gatewayWith({})) as RunningGateway;
    const origin = new URL(gateway.url).origin;
    const writer = await stack.token(['network:read', 'poi:cubiss:read', 'poi:cubiss:write'], 'cubiss-staff');
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      const posts: string[] = [];
      context.on('request', (request) => {
        if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') posts.push(request.url());
      });
      await page.goto(`${origin}/dashboard`);
      const card = page.locator('[data-poi="CUBISS"] [data-metric="openTicketCount"] dd');
      await card.waitFor();
      const live = page.locator('#live');
      await until(() => gateway.live.stats().connections === 1, 10_000, 'the page subscribed');
      await page.waitForFunction(() => document.querySelector('#live')?.getAttribute('data-live') === 'true');
      await expect(live.textContent()).resolves.toBe('live');
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png'), clip: { x: 0, y: 0, width: 1440, height: 200 } });

      // The count as the API gives it, before and after the write (not from the page).
      const before = (await postGraphQL(gateway.url, OPEN_COUNT, undefined, { authorization: `Bearer ${writer}` })).data.cubiss.stats.openTicketCount;
      await until(async () => (await card.textContent()) === integer.format(before), 10_000, 'the card shows the count before');
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      const postsBefore = posts.length;

      const written = await postGraphQL(gateway.url, CREATE_TICKET, undefined, { authorization: `Bearer ${writer}` });
      expect(written.errors).toBeUndefined();
      expect(written.data.cubiss.createTicket.status).toBe('OPEN');
      const after = (await postGraphQL(gateway.url, OPEN_COUNT, undefined, { authorization: `Bearer ${writer}` })).data.cubiss.stats.openTicketCount;
      expect(after).toBe(before + 1);

      // The card follows within a few seconds, polled in the browser, and the page was not reloaded.
      await page.waitForFunction(
        (expected) => document.querySelector('[data-poi="CUBISS"] [data-metric="openTicketCount"] dd')?.textContent === expected,
        integer.format(after),
        { timeout: 5000, polling: 50 },
      );
      await expect(page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
      expect(postsBefore).toBe(1); // the first load; going live refreshes nothing
      expect(posts.length).toBe(2); // refreshed by the change, one overview request

      // The gateway ends its streams and refuses new ones: the page says so and keeps its figures.
      await gateway.live.close();
      await page.waitForFunction(() => document.querySelector('#live')?.getAttribute('data-live') === 'false', undefined, { timeout: 5000, polling: 50 });
      await expect(live.textContent()).resolves.toBe('niet live — verversen elke 60 s');
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-not-live.png'), clip: { x: 0, y: 0, width: 1440, height: 200 } });
      await expect(card.textContent()).resolves.toBe(integer.format(after));
      expect(posts.length).toBe(2); // no refresh when the channel drops: the timer takes over
      // Its reconnection attempts are refused (503) by the stopped channel.
      const refused = await fetch(new URL(LIVE_PATH, origin), { method: 'POST', headers: { accept: 'text/event-stream' } });
      expect(refused.status).toBe(503);
      await page.click('#lang');
      await expect(live.textContent()).resolves.toBe('not live — refreshing every 60 s');
    } finally {
      await context.close();
    }
  });

  it('subscribes with the same Authorization as its queries, and again when the token changes', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const streams: (string | undefined)[] = [];
      context.on('request', (request) => {
        if (new URL(request.url()).pathname === LIVE_PATH) streams.push(request.headers().authorization);
      });
      await page.goto(`${new URL(stack.gateway.url).origin}/dashboard`);
      await page.waitForFunction(() => document.querySelector('#live')?.getAttribute('data-live') === 'true');
      expect(streams).toEqual([undefined]);
      const token = await stack.token(['network:read'], 'wall-screen');
      await page.fill('#token', token);
      await page.press('#token', 'Enter');
      await until(() => streams.length === 2, 5000, 'a new stream with the token');
      expect(streams[1]).toBe(`Bearer ${token}`);
      await page.waitForFunction(() => document.querySelector('#live')?.getAttribute('data-live') === 'true');
    } finally {
      await context.close();
    }
  });
});
