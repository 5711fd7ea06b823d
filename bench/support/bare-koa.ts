/**
 * The API bench's baseline: a bare Koa app, one middleware answering every request with a small JSON
 * (no routing, auth, validation, database or queue), on HOST:PORT. /healthz answers the same.
 */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.status = ctx.method === 'POST' ? 202 : 200;
  ctx.body = { id: '00000000-0000-4000-8000-000000000000', status: 'queued' };
});
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
