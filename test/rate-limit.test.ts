import type express from 'express';
import { createRateLimit, type RateLimit } from '../gateway/src/rate-limit';
import { createLogger } from '../shared/logger';

/**
 * The gateway's rate limit (gateway/src/rate-limit.ts) on its own, in memory, on jest's fake
 * clock: what README "Rate limit" promises — a budget per identity per window, a batch counting
 * each operation, 429 RATE_LIMITED with Retry-After over budget, RateLimit-* headers on every
 * answer, and the budget back once the window is over.
 */

interface Answer {
  passed: boolean;
  status: number;
  headers: Record<string, string>;
  body?: any;
}

/** One request through the middleware: as `subject` (a token's) or anonymous from `address`. */
function send(limit: RateLimit, options: { subject?: string; address?: string; body?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const answer: Answer = { passed: false, status: 200, headers: {} };
    const res = {
      locals: { identity: options.subject ? { subject: options.subject, name: options.subject, scopes: [], anonymous: false } : undefined },
      setHeader(name: string, value: string) {
        answer.headers[name.toLowerCase()] = value;
        return res;
      },
      status(code: number) {
        answer.status = code;
        return res;
      },
      json(body: unknown) {
        answer.body = body;
        resolve(answer);
        return res;
      },
    };
    const req = { body: options.body ?? { query: '{ pois { code } }' }, socket: { remoteAddress: options.address ?? '192.0.2.1' } };
    void limit.middleware(req as unknown as express.Request, res as unknown as express.Response, () => {
      answer.passed = true;
      resolve(answer);
    });
  });
}

const batchOf = (n: number) => Array.from({ length: n }, () => ({ query: '{ pois { code } }' }));

describe('rate limit', () => {
  let limit: RateLimit;
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-06-01T12:00:00Z') });
    limit = createRateLimit({ requests: 5, windowSeconds: 60 }, createLogger('test', 'silent'));
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('every answer carries RateLimit-Limit, -Remaining and -Reset', async () => {
    const first = await send(limit, { subject: 'alice' });
    expect(first).toMatchObject({ passed: true, headers: { 'ratelimit-limit': '5', 'ratelimit-remaining': '4', 'ratelimit-reset': '60' } });
    jest.advanceTimersByTime(20_000);
    const second = await send(limit, { subject: 'alice' });
    expect(second.headers).toEqual({ 'ratelimit-limit': '5', 'ratelimit-remaining': '3', 'ratelimit-reset': '40' });
  });

  it('a batch counts each of its operations; an empty one counts one', async () => {
    expect((await send(limit, { subject: 'bob', body: batchOf(3) })).headers['ratelimit-remaining']).toBe('2');
    expect((await send(limit, { subject: 'bob', body: [] })).headers['ratelimit-remaining']).toBe('1');
    // A batch larger than what is left is refused as a whole.
    const over = await send(limit, { subject: 'bob', body: batchOf(2) });
    expect(over).toMatchObject({ passed: false, status: 429, headers: { 'ratelimit-remaining': '0' } });
  });

  it('over budget: 429 RATE_LIMITED with Retry-After until the window is over, then the whole budget again', async () => {
    for (let i = 0; i < 5; i++) expect((await send(limit, { subject: 'carol' })).passed).toBe(true);
    jest.advanceTimersByTime(15_000);
    const refused = await send(limit, { subject: 'carol' });
    expect(refused).toMatchObject({ passed: false, status: 429, headers: { 'retry-after': '45', 'ratelimit-remaining': '0', 'ratelimit-reset': '45' } });
    expect(refused.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 45 });
    jest.advanceTimersByTime(44_000);
    expect(await send(limit, { subject: 'carol' })).toMatchObject({ passed: false, headers: { 'retry-after': '1' } });
    jest.advanceTimersByTime(1_000);
    const refilled = await send(limit, { subject: 'carol' });
    expect(refilled).toMatchObject({ passed: true, headers: { 'ratelimit-remaining': '4', 'ratelimit-reset': '60' } });
  });

  it('each identity has its own budget: a token by its subject, an anonymous caller by its address', async () => {
    await send(limit, { subject: 'dave', body: batchOf(5) });
    expect((await send(limit, { subject: 'dave' })).status).toBe(429);
    expect((await send(limit, { subject: 'erin' })).passed).toBe(true);
    // The same address, anonymous: not dave's budget.
    expect((await send(limit, { address: '192.0.2.1' })).headers['ratelimit-remaining']).toBe('4');
    expect((await send(limit, { address: '192.0.2.2' })).headers['ratelimit-remaining']).toBe('4');
  });

  it("a failed authentication spends the address's anonymous budget", async () => {
    const res = { setHeader: () => res, status: () => res, json: () => res };
    const req = { socket: { remoteAddress: '192.0.2.9' } } as unknown as express.Request;
    for (let i = 0; i < 4; i++) expect(await limit.chargeFailure(req, res as unknown as express.Response)).toBe(true);
    expect((await send(limit, { address: '192.0.2.9' })).headers['ratelimit-remaining']).toBe('0');
    expect(await limit.chargeFailure(req, res as unknown as express.Response)).toBe(false);
  });
});
