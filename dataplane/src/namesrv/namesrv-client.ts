import { z } from 'zod';
import { Code, DataplaneError } from '../lib/errors.js';
import { type BrokerRegistration, type BrokerRoute, RoutesResponse } from './registration.js';

export interface NameServerClientOptions {
  /** `host:port` (the `--namesrv` form) or a full `http://host:port` URL. */
  readonly address: string;
  /** Per request; a name server that does not answer within it counts as down. Default 3 s. */
  readonly timeoutMs?: number;
}

const RegisterResponse = z.object({
  kind: z.enum(['registered', 'refreshed', 'moved']),
  expiryMs: z.number().int().positive(),
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

/**
 * HTTP client of the name server API (README.md). A failed call (down, timeout, unexpected status or body) rejects
 * with a DataplaneError whose cause is the underlying failure; "not found" answers are values.
 */
export class NameServerClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: NameServerClientOptions) {
    this.baseUrl = nameServerUrl(options.address);
    this.timeoutMs = options.timeoutMs ?? 3000;
  }

  async register(registration: BrokerRegistration): Promise<RegisterResponse> {
    const res = await this.call('PUT', `/v1/brokers/${encodeURIComponent(registration.brokerName)}`, registration);
    if (res.status !== 200 && res.status !== 201) throw await this.unexpected(res);
    return this.parse(res, RegisterResponse);
  }

  /** False when the name server did not know the broker (already expired or never registered). */
  async unregister(brokerName: string): Promise<boolean> {
    const res = await this.call('DELETE', `/v1/brokers/${encodeURIComponent(brokerName)}`);
    if (res.status === 204) return true;
    if (res.status === 404) return false;
    throw await this.unexpected(res);
  }

  /** The live brokers' routes of `topic`, in the name server's order; empty when no live broker has it. */
  async routes(topic: string): Promise<BrokerRoute[]> {
    const res = await this.call('GET', `/v1/routes/${encodeURIComponent(topic)}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    if (res.status !== 200) throw await this.unexpected(res);
    return (await this.parse(res, RoutesResponse)).brokers;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      });
    } catch (err) {
      throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `name server ${this.baseUrl} unreachable`, { cause: err });
    }
  }

  private async parse<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
    try {
      return schema.parse(await res.json());
    } catch (err) {
      throw new DataplaneError(Code.INTERNAL_SERVER_ERROR, `name server ${this.baseUrl} sent an invalid answer`, {
        cause: err,
      });
    }
  }

  private async unexpected(res: Response): Promise<DataplaneError> {
    const text = await res.text().catch(() => '');
    return new DataplaneError(
      Code.INTERNAL_SERVER_ERROR,
      `name server ${this.baseUrl} answered ${res.status}: ${text.slice(0, 300)}`,
    );
  }
}

/** `host:port` → `http://host:port`; URLs pass through without a trailing slash. */
export function nameServerUrl(address: string): string {
  const url = /^https?:\/\//.test(address) ? address : `http://${address}`;
  return url.replace(/\/+$/, '');
}
