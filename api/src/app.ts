import { randomUUID } from 'node:crypto';
import express, { type Express, Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApiError } from './errors.js';
import { authenticate } from './http/auth.js';
import { requestMetrics } from './http/metrics.js';
import { openApiDocument } from './http/openapi.js';
import { methodNotAllowed, notFoundRoute, problemHandler } from './http/problem.js';
import { type AnyRoute, expressPath, mountRoute, stateOf } from './http/route.js';
import { apiKeyRoutes } from './routes/api-keys.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { clusterRoutes } from './routes/clusters.routes.js';
import { groupRoutes } from './routes/groups.routes.js';
import { instanceRoutes } from './routes/instances.routes.js';
import type { Services } from './routes/services.js';
import { tenantRoutes } from './routes/tenants.routes.js';
import { topicRoutes } from './routes/topics.routes.js';

export interface AppDeps {
  readonly services: Services;
  readonly log: Logger;
  readonly registry: Registry;
  /** Readiness: resolves when the database answers. */
  readonly ready: () => Promise<void>;
}

export function apiRoutes(services: Services): AnyRoute[] {
  return [
    ...tenantRoutes(services),
    ...apiKeyRoutes(services),
    ...clusterRoutes(services),
    ...instanceRoutes(services),
    ...topicRoutes(services),
    ...groupRoutes(services),
    ...auditRoutes(services),
  ];
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The control-plane API as an Express app that does not listen (main.ts listens and shuts down). */
export function createApp(deps: AppDeps): Express {
  const { services, log, registry } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('etag', false);
  app.use((req, res, next) => {
    const given = req.get('x-request-id');
    stateOf(res).requestId = given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', stateOf(res).requestId);
    next();
  });
  app.use(requestMetrics(registry));
  app.use((req, res, next) => {
    const start = performance.now();
    res.on('finish', () => {
      const state = stateOf(res);
      log.debug(
        {
          requestId: state.requestId,
          method: req.method,
          route: state.route,
          status: res.statusCode,
          keyId: state.principal?.keyId,
          durationMs: Math.round(performance.now() - start),
        },
        'request',
      );
    });
    next();
  });

  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
    app.get(path, (_req, res, next) => {
      stateOf(res).route = path;
      next();
    });
  }
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await deps.ready();
    } catch (err) {
      throw new ApiError('unavailable', 'the database does not answer', {}, { cause: err });
    }
    res.json({ status: 'ready' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  const routes = apiRoutes(services);
  const document = openApiDocument(routes);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  app.use(express.json({ limit: '64kb', strict: true, type: ['application/json', 'application/*+json'] }));
  const router = Router();
  const auth = authenticate((token) => services.apiKeys.authenticate(token));
  for (const route of routes) mountRoute(router, route, auth);
  const methodsByPath = new Map<string, string[]>();
  for (const route of routes) {
    methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), route.method.toUpperCase()]);
  }
  for (const [path, methods] of methodsByPath) router.all(expressPath(path), methodNotAllowed(methods));
  app.use(router);
  app.use(notFoundRoute);
  app.use(problemHandler(log));
  return app;
}
