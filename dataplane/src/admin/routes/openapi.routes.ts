import { Router } from 'express';
import { openApiDocument } from '../openapi.js';
import { methodNotAllowed } from '../problem.js';

export function openApiRoutes(): Router {
  const router = Router();
  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.json(openApiDocument);
    })
    .all(methodNotAllowed('GET'));
  return router;
}
