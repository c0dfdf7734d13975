import express, { type ErrorRequestHandler, type Express, type Response } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { Code, DataplaneError } from '../lib/errors.js';
import type { NameServerMetrics } from './namesrv-metrics.js';
import { BROKER_NAME, type BrokerRegistration, RegistrationBody, TOPIC_NAME } from './registration.js';
import type { RouteTable } from './route-table.js';

export interface NameServerAppDeps {
  readonly table: RouteTable;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  readonly metrics: NameServerMetrics;
}

const BrokerNameParam = z.string().regex(BROKER_NAME, 'broker name: 1-127 of [a-zA-Z0-9._-]');
const TopicParam = z.string().regex(TOPIC_NAME, 'topic name: 1-127 of [%|a-zA-Z0-9_-]');
/** A full registration of many topics fits comfortably (about 100 bytes a topic). */
const MAX_BODY = '4mb';

/**
 * The name server's HTTP/JSON API (README.md beside this file): brokers register and heartbeat, anyone reads routes.
 * Builds the app without listening; errors become RFC 9457 problems in one middleware at the end.
 */
export function createNameServerApp(deps: NameServerAppDeps): Express {
  const { table, clock, log, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: MAX_BODY }));

  app.put('/v1/brokers/:brokerName', (req, res) => {
    const brokerName = BrokerNameParam.parse(req.params.brokerName);
    const body = RegistrationBody.parse(req.body);
    if (body.brokerName !== undefined && body.brokerName !== brokerName) {
      throw new DataplaneError(Code.BAD_REQUEST, `body names broker ${body.brokerName}, the path ${brokerName}`);
    }
    const registration: BrokerRegistration = { ...body, brokerName };
    const result = table.register(registration, clock.now());
    metrics.registered(result.kind);
    const fields = { brokerName, brokerGroup: body.brokerGroup, endpoint: body.endpoint };
    if (result.kind === 'registered') log.info(fields, 'broker registered');
    else if (result.kind === 'moved') log.info({ ...fields, from: result.previousEndpoint }, 'broker endpoint changed');
    else log.debug(fields, 'broker heartbeat');
    res.status(result.kind === 'registered' ? 201 : 200).json({
      brokerName,
      kind: result.kind,
      expiresAt: new Date(result.expiresAt).toISOString(),
      expiryMs: table.expiryMs,
    });
  });

  app.delete('/v1/brokers/:brokerName', (req, res) => {
    const brokerName = BrokerNameParam.parse(req.params.brokerName);
    if (!table.unregister(brokerName, clock.now())) {
      throw new DataplaneError(Code.NOT_FOUND, `broker ${brokerName} is not registered`);
    }
    metrics.unregistered();
    log.info({ brokerName }, 'broker unregistered');
    res.status(204).end();
  });

  app.get('/v1/brokers', (_req, res) => {
    const brokers = table.list(clock.now()).map((b) => ({
      ...b.registration,
      registeredAt: new Date(b.registeredAt).toISOString(),
      heartbeatAt: new Date(b.heartbeatAt).toISOString(),
      expiresAt: new Date(b.expiresAt).toISOString(),
    }));
    res.json({ brokers });
  });

  app.get('/v1/routes/:topic', (req, res) => {
    const topic = TopicParam.parse(req.params.topic);
    const brokers = table.routesFor(topic, clock.now());
    if (brokers.length === 0) throw new DataplaneError(Code.TOPIC_NOT_FOUND, `no live broker serves topic ${topic}`);
    res.json({ topic, brokers });
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/metrics', async (_req, res) => {
    const text = await deps.registry.metrics();
    res.type(deps.registry.contentType).send(text);
  });

  app.use((req, _res, next) => {
    next(new DataplaneError(Code.NOT_FOUND, `no route ${req.method} ${req.path}`));
  });
  app.use(problemHandler(log));
  return app;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

/** Maps every error to a problem+json once: client mistakes keep their 4xx, anything unknown is logged and is a 500. */
function problemHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const instance = req.originalUrl;
    if (err instanceof z.ZodError) {
      const errors = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return problem(res, 400, {
        detail: errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '),
        errors,
        instance,
      });
    }
    if (err instanceof DataplaneError) {
      return problem(res, Math.floor(err.code / 100), { detail: err.message, code: err.code, instance });
    }
    // body-parser's errors (malformed JSON, body too large, bad charset) carry an exposable 4xx status.
    const status = httpStatusOf(err);
    if (status !== undefined) return problem(res, status, { detail: (err as Error).message, instance });
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    return problem(res, 500, { instance });
  };
}

function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('expose' in err) || err.expose !== true) return undefined;
  const status = 'status' in err ? err.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function problem(res: Response, status: number, fields: Record<string, unknown>): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...fields }));
}
