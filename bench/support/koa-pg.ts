/**
 * The API bench's floor for this stack: Koa and node-pg with nothing else (no router, auth, validation,
 * rate limit, outbox or queue). POST makes pgbench's transaction (one INSERT of a small JSON row), GET
 * answers a stored document by primary key, the completed request's JSON as the API answers it. What the
 * API reaches next to this is what its own work costs; what this reaches next to pgbench and bare Koa is
 * what Node, the HTTP server and the Postgres client cost on this box. Env: DATABASE_URL, BENCH_SCHEMA,
 * HOST, PORT; /healthz answers 200.
 */
import Koa from 'koa';
import pg from 'pg';

const schema = process.env.BENCH_SCHEMA ?? '';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
const insert = `INSERT INTO "${schema}".pgbench_insert (payload) VALUES ($1) RETURNING id`;
const select = `SELECT document FROM "${schema}".koa_pg_documents WHERE id = $1`;

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/healthz') {
    ctx.body = { status: 'ok' };
  } else if (ctx.method === 'POST') {
    const { rows } = await pool.query<{ id: string }>(insert, ['{"candidateId": "x", "topK": 10}']);
    ctx.status = 202;
    ctx.body = { id: rows[0]?.id, status: 'queued' };
  } else {
    const { rows } = await pool.query<{ document: unknown }>(select, [1]);
    ctx.body = rows[0]?.document;
  }
});
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
