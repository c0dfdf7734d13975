import { Router } from 'express';
import { z } from 'zod';
import type { WritePermission } from '../deps.js';
import { methodNotAllowed, parseInput, requireJson } from '../problem.js';

export const PermissionSpec = z.object({ write: z.boolean() }).strict();

/** `GET/PUT /v1/broker/permission`: `{"write": false}` drains the broker (routes say READ, sends are refused). */
export function permissionRoutes(deps: { readonly permission: WritePermission }): Router {
  const router = Router();
  router
    .route('/v1/broker/permission')
    .get((_req, res) => {
      res.json({ write: deps.permission.writable });
    })
    .put(async (req, res) => {
      requireJson(req);
      const { write } = parseInput(PermissionSpec, req.body, 'body');
      await deps.permission.set(write);
      res.json({ write: deps.permission.writable });
    })
    .all(methodNotAllowed('GET', 'PUT'));
  return router;
}
