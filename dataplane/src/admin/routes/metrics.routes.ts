import { Router } from 'express';
import type { HealthDeps } from '../deps.js';
import { methodNotAllowed } from '../problem.js';

/** Prometheus exposition of the broker's registry. */
export function metricsRoutes(deps: Pick<HealthDeps, 'registry'>): Router {
  const router = Router();
  router
    .route('/metrics')
    .get(async (_req, res) => {
      const text = await deps.registry.metrics();
      res.type(deps.registry.contentType).send(text);
    })
    .all(methodNotAllowed('GET'));
  return router;
}
