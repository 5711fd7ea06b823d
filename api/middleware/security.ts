import cors from '@koa/cors';
import type { Middleware } from 'koa';
import helmet from 'koa-helmet';

/**
 * Security headers on every answer (helmet): no MIME sniffing, no framing, no referrer, and a
 * Content-Security-Policy that lets only our own scripts run. It is shaped for the two HTML pages we serve
 * (Swagger UI at /docs, Bull Board at /admin/queues), which style elements inline; JSON answers are not
 * rendered by browsers, so the policy costs them nothing.
 */
export function securityHeaders(): Middleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * Cross-origin browser calls: off unless CORS_ORIGINS names the origins (or '*'). API keys are bearer
 * tokens, never cookies, so no credentials mode is offered.
 */
export function crossOrigin(origins: readonly string[]): Middleware | undefined {
  if (origins.length === 0) return undefined;
  const allowAny = origins.includes('*');
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('origin');
      return allowAny || origins.includes(origin) ? origin : '';
    },
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: [
      'Location',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
      'X-Request-Id',
      'Idempotent-Replayed',
    ],
    maxAge: 600,
  });
}
