import express, { type Express } from 'express';
import { requireBearer } from './auth.js';
import type { AdminAppDeps, HealthDeps } from './deps.js';
import { notFound, problemHandler } from './problem.js';
import { clientRoutes } from './routes/clients.routes.js';
import { consumerProgressRoutes } from './routes/consumer-progress.routes.js';
import { groupRoutes } from './routes/groups.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { messageRoutes } from './routes/messages.routes.js';
import { metricsRoutes } from './routes/metrics.routes.js';
import { openApiRoutes } from './routes/openapi.routes.js';
import { permissionRoutes } from './routes/permission.routes.js';
import { timerRoutes } from './routes/timers.routes.js';
import { topicRoutes } from './routes/topics.routes.js';
import { transactionRoutes } from './routes/transactions.routes.js';

/**
 * The broker's admin HTTP API as an Express app that does not listen. With only `HealthDeps` it serves health,
 * readiness and metrics (what `main.ts` passed before the REST API existed); with a store, topics and groups it
 * serves the `/v1` API and `/openapi.json` too.
 */
export function createAdminApp(deps: HealthDeps | AdminAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(healthRoutes(deps));
  if ('adminToken' in deps && deps.adminToken) app.use(requireBearer(deps.adminToken));
  app.use(express.json({ limit: '64kb', strict: true }));
  app.use(metricsRoutes(deps));
  if ('consumption' in deps) {
    app.use(openApiRoutes());
    app.use(topicRoutes(deps));
    app.use(groupRoutes(deps));
    app.use(consumerProgressRoutes(deps));
    app.use(clientRoutes(deps));
    app.use(messageRoutes(deps));
    app.use(permissionRoutes(deps));
    app.use(transactionRoutes(deps));
    app.use(timerRoutes(deps));
  }
  app.use(notFound);
  app.use(problemHandler(deps.log));
  return app;
}
