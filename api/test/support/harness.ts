import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../../src/app.js';
import { dropSchema, type OpenDatabase, openDatabase, pgliteTemplate, ping } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createServices } from '../../src/services/create-services.js';
import type { Provisioning } from '../../src/services/provisioning.js';

/**
 * The databases every API suite runs on: embedded PGlite always, and the real PostgreSQL when DATABASE_URL is set
 * (or ROCKETRY_TEST_POSTGRES=1, which uses the local server). Each started API gets its own PGlite or its own
 * Postgres schema, dropped afterwards, so suites and runs never collide.
 */
export interface Backend {
  readonly name: 'pglite' | 'postgres';
  readonly url?: string;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function backends(): Backend[] {
  const url = process.env.DATABASE_URL || (process.env.ROCKETRY_TEST_POSTGRES === '1' ? DEFAULT_POSTGRES_URL : '');
  return [{ name: 'pglite' }, ...(url ? [{ name: 'postgres' as const, url }] : [])];
}

export interface TestApi {
  readonly url: string;
  readonly adminKey: string;
  readonly database: OpenDatabase;
  /** Postgres only: the application_name of the API's pool connections (its schema's name). */
  readonly applicationName: string;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface CallOptions {
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as is, instead of JSON.stringify(body). */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers freely
  readonly body: any;
  readonly text: string;
}

/**
 * initdb dominates a PGlite start (several seconds on a busy machine); an initialised data directory loads in well
 * under one. The first test process to need one writes it to the temp dir (atomically, by rename) for the others.
 */
let template: Promise<Blob> | undefined;
function sharedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    const file = join(tmpdir(), `rocketry-api-pglite-${version}.tar`);
    try {
      return new Blob([await readFile(file)]);
    } catch {
      const blob = await pgliteTemplate();
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(partial, Buffer.from(await blob.arrayBuffer()));
      await rename(partial, file);
      return blob;
    }
  })();
  return template;
}

export const PEPPER = 'test-pepper-0123456789';
const silent = pino({ level: 'silent' });

export async function startApi(
  backend: Backend,
  options: { poolSize?: number; provisioning?: Provisioning } = {},
): Promise<TestApi> {
  const schema = `rt_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase(
    backend.name === 'pglite'
      ? { kind: 'pglite', template: await sharedTemplate() }
      : {
          kind: 'postgres',
          url: backend.url as string,
          poolSize: options.poolSize ?? 10,
          schema,
          applicationName: schema,
        },
  );
  await migrateToLatest(database.db);
  const services = createServices(database.db, {
    keyPepper: PEPPER,
    log: silent,
    ...(options.provisioning && { provisioning: options.provisioning }),
  });
  const adminKey = `bootstrap-${randomBytes(12).toString('hex')}`;
  await services.apiKeys.bootstrap(adminKey);
  const app = createApp({ services, log: silent, registry: new Registry(), ready: () => ping(database.db) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    adminKey,
    database,
    applicationName: schema,
    call: (method, path, callOptions = {}) => call(url, adminKey, method, path, callOptions),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await database.close();
      if (backend.name === 'postgres') await dropSchema(backend.url as string, schema);
    },
  };
}

async function call(
  url: string,
  adminKey: string,
  method: string,
  path: string,
  options: CallOptions,
): Promise<Answer> {
  const key = options.key === undefined ? adminKey : options.key;
  const headers: Record<string, string> = { ...(key !== null && { authorization: `Bearer ${key}` }) };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const init = { method, headers: { ...headers, ...options.headers }, body };
  let res: Response;
  try {
    res = await fetch(url + path, init);
  } catch (err) {
    // A kept-alive socket the server closed just as it was reused (load makes the race likelier): once more, for reads.
    if (method !== 'GET') throw new Error(`${method} ${path} failed`, { cause: err });
    res = await fetch(url + path, init);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** A tenant with an admin and a viewer key. */
export async function newTenant(api: TestApi, overrides: Record<string, unknown> = {}) {
  const tenant = await api.call('POST', '/v1/tenants', { body: { name: unique('t'), ...overrides } });
  if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status} ${tenant.text}`);
  const id: string = tenant.body.id;
  const admin = await api.call('POST', `/v1/tenants/${id}/api-keys`, { body: { name: 'admin', role: 'tenant-admin' } });
  const viewer = await api.call('POST', `/v1/tenants/${id}/api-keys`, {
    body: { name: 'viewer', role: 'tenant-viewer' },
  });
  if (admin.status !== 201 || viewer.status !== 201) throw new Error(`keys: ${admin.text} ${viewer.text}`);
  return { id, tenant: tenant.body, adminKey: admin.body.secret as string, viewerKey: viewer.body.secret as string };
}

/** A shared local cluster in `region` whose brokers are at `brokerAdminUrls` (unreachable by default). */
export async function newCluster(api: TestApi, region: string, brokerAdminUrls = ['http://127.0.0.1:9/']) {
  const res = await api.call('POST', '/v1/clusters', {
    body: { name: unique('c'), region, connection: { mode: 'local', brokerAdminUrls } },
  });
  if (res.status !== 201) throw new Error(`cluster: ${res.status} ${res.text}`);
  return res.body as { id: string; name: string };
}

export function expectProblem(answer: Answer, status: number, type?: string): void {
  const ok =
    answer.status === status &&
    answer.headers.get('content-type')?.startsWith('application/problem+json') &&
    typeof answer.body?.type === 'string' &&
    answer.body.status === status &&
    (type === undefined || answer.body.type === `https://rocketry.dev/problems/${type}`);
  if (!ok) throw new Error(`expected a ${status} ${type ?? ''} problem, got ${answer.status}: ${answer.text}`);
}
