import type { HttpHandler, HttpRequest, HttpResponse } from '../../shared/http';
import type Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Identity } from '../../shared/auth/identity';
import type { SecurityConfig } from '../../shared/config';
import type { Logger } from '../../shared/logger';

export interface RateLimit {
  middleware: HttpHandler;
  /**
   * Counts a failed authentication against the caller's address (the anonymous budget): true when
   * that budget still allows it, false when it answered 429 itself.
   */
  chargeFailure(req: HttpRequest, res: HttpResponse): Promise<boolean>;
  /** Where budgets are counted, for /ready: memory, or Redis and whether it is connected. */
  store(): { store: 'memory' } | { store: 'redis'; connected: boolean };
}

/** The budget a request is counted against: the token's subject, or for anonymous requests the client's address. */
function budgetKey(identity: Identity | undefined, req: HttpRequest): string {
  return identity && !identity.anonymous ? `sub:${identity.subject}` : `ip:${req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Rate limiting per client identity: `requests` per `windowSeconds`; a batched request counts
 * each of its operations. In memory by default; with `redisUrl` every gateway replica counts
 * against the same budget in Redis (and falls back to its own memory while Redis is away).
 * Over budget: 429 with Retry-After; every answer carries RateLimit-Limit/-Remaining/-Reset.
 */
export function createRateLimit(settings: SecurityConfig['rateLimit'], logger: Logger, redis?: Redis): RateLimit {
  const options = { points: settings.requests, duration: settings.windowSeconds, keyPrefix: 'poi-gateway-rate' };
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) })
    : new RateLimiterMemory(options);
  const headers = (res: HttpResponse, state: RateLimiterRes) => {
    res.setHeader('RateLimit-Limit', String(settings.requests));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    res.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  };
  /** Spends `points` of `key`'s budget: true to go on, false when it answered 429 itself. */
  const charge = (key: string, points: number, res: HttpResponse): Promise<boolean> =>
    limiter.consume(key, points).then(
      (state) => {
        headers(res, state);
        return true;
      },
      (rejection: unknown) => {
        if (!(rejection instanceof RateLimiterRes)) {
          logger.error({ err: rejection }, 'rate limit check failed; request let through');
          return true;
        }
        headers(res, rejection);
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        res.status(429).json({
          errors: [
            {
              message: `Too many requests: at most ${settings.requests} per ${settings.windowSeconds} s; retry in ${retryAfter} s`,
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
            },
          ],
        });
        return false;
      },
    );
  const middleware: HttpHandler = (req, res, next) => {
    const points = Array.isArray(req.body) ? Math.max(1, req.body.length) : 1;
    void charge(budgetKey(res.locals.identity as Identity | undefined, req), points, res).then((goOn) => goOn && next());
  };
  const chargeFailure = (req: HttpRequest, res: HttpResponse) => charge(budgetKey(undefined, req), 1, res);
  return { middleware, chargeFailure, store: () => (redis ? { store: 'redis', connected: redis.status === 'ready' } : { store: 'memory' }) };
}
