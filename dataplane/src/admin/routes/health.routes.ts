import { Router } from 'express';
import type { HealthDeps } from '../deps.js';
import { methodNotAllowed } from '../problem.js';

/** Liveness and readiness: unauthenticated, so kubelet probes need no secret. */
export function healthRoutes(deps: Pick<HealthDeps, 'isReady'>): Router {
  const router = Router();
  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed('GET'));
  router
    .route('/readyz')
    .get((_req, res) => {
      if (deps.isReady()) res.json({ status: 'ready' });
      else res.status(503).json({ status: 'starting' });
    })
    .all(methodNotAllowed('GET'));
  return router;
}
