import type { Middleware } from 'koa';

import { isDatabaseUnavailable } from '../../lib/db/errors.js';
import { AppError, DatabaseUnavailableError, type FieldProblem } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldProblem[];
}

const PROBLEM_BASE = 'https://lookiy.dev/problems/';

/**
 * Turns every error into an RFC 9457 problem+json response. AppErrors say what the client did wrong;
 * anything else is our fault, is logged with its stack, and reaches the client as a bare 500.
 */
export function problemDetails(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new RouteNotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
      }
      // The router answers a method a path lacks with a bare text 405, and a method no route has at all
      // (PROPFIND, say) with a 501: both are the client's mistake, so both become a problem+json 405.
      const allow = ctx.response.get('Allow');
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null && allow !== '') {
        throw new MethodNotAllowedError(
          `${ctx.method} is not allowed on ${ctx.path}; it allows ${allow}.`,
          allow,
        );
      }
    } catch (thrown) {
      const error = isDatabaseUnavailable(thrown)
        ? new DatabaseUnavailableError(
            'The database is unavailable. Retry shortly (with the same Idempotency-Key, for a POST).',
            undefined,
            {
              cause: thrown,
            },
          )
        : thrown;
      const problem: ProblemBody =
        error instanceof AppError
          ? {
              type: PROBLEM_BASE + error.type,
              title: error.title,
              status: error.status,
              detail: error.message,
              instance: ctx.path,
              ...(error.errors ? { errors: error.errors } : {}),
            }
          : {
              type: PROBLEM_BASE + 'internal',
              title: 'Internal server error',
              status: 500,
              detail: 'Something went wrong on our side; it has been logged.',
              instance: ctx.path,
            };
      if (error instanceof AppError) {
        ctx.set(error.headers);
        if (error.status >= 500) logger.warn({ err: error, path: ctx.path }, error.message);
      } else {
        logger.error({ err: error, method: ctx.method, path: ctx.path }, 'unhandled error');
      }
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = problem;
    }
  };
}

class RouteNotFoundError extends AppError {
  readonly status = 404;
  readonly type = 'not-found';
  readonly title = 'Not found';
}

class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly type = 'method-not-allowed';
  readonly title = 'Method not allowed';
  override readonly headers: Record<string, string>;

  constructor(detail: string, allow: string) {
    super(detail);
    this.headers = { Allow: allow };
  }
}
