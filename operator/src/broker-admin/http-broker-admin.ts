import {
  type BrokerAdmin,
  BrokerAdminError,
  type BrokerAdminFactory,
  type GroupInfo,
  type GroupLag,
  type GroupSpec,
  type PutOutcome,
  type TopicDetail,
  type TopicInfo,
  type TopicSpec,
} from './broker-admin.js';

export interface HttpBrokerAdminOptions {
  /** Per request; a broker that does not answer in time counts as unreachable. */
  readonly timeoutMs?: number;
}

/** `BrokerAdmin` over HTTP/JSON with the bearer token (Node's fetch). Errors are `BrokerAdminError`s. */
export class HttpBrokerAdmin implements BrokerAdmin {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(
    url: string,
    private readonly token: string | undefined,
    options: HttpBrokerAdminOptions = {},
  ) {
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  healthy(): Promise<boolean> {
    return this.probe('/healthz');
  }

  ready(): Promise<boolean> {
    return this.probe('/readyz');
  }

  async listTopics(): Promise<TopicInfo[]> {
    return (await this.call<{ topics: TopicInfo[] }>('GET', '/v1/topics')).body.topics;
  }

  getTopic(name: string): Promise<TopicDetail | undefined> {
    return this.getOrUndefined<TopicDetail>(`/v1/topics/${encodeURIComponent(name)}`);
  }

  async putTopic(name: string, spec: TopicSpec): Promise<PutOutcome<TopicDetail>> {
    const { status, body } = await this.call<TopicDetail>('PUT', `/v1/topics/${encodeURIComponent(name)}`, spec);
    return { kind: status === 201 ? 'created' : 'updated', value: body };
  }

  deleteTopic(name: string): Promise<boolean> {
    return this.deleteOrFalse(`/v1/topics/${encodeURIComponent(name)}`);
  }

  async listGroups(): Promise<GroupInfo[]> {
    return (await this.call<{ groups: GroupInfo[] }>('GET', '/v1/groups')).body.groups;
  }

  getGroup(name: string): Promise<GroupInfo | undefined> {
    return this.getOrUndefined<GroupInfo>(`/v1/groups/${encodeURIComponent(name)}`);
  }

  async putGroup(name: string, spec: GroupSpec): Promise<PutOutcome<GroupInfo>> {
    const { status, body } = await this.call<GroupInfo>('PUT', `/v1/groups/${encodeURIComponent(name)}`, spec);
    return { kind: status === 201 ? 'created' : 'updated', value: body };
  }

  deleteGroup(name: string): Promise<boolean> {
    return this.deleteOrFalse(`/v1/groups/${encodeURIComponent(name)}`);
  }

  groupLag(name: string): Promise<GroupLag | undefined> {
    return this.getOrUndefined<GroupLag>(`/v1/groups/${encodeURIComponent(name)}/lag`);
  }

  async getPermission(): Promise<{ write: boolean }> {
    return (await this.call<{ write: boolean }>('GET', '/v1/broker/permission')).body;
  }

  async setPermission(write: boolean): Promise<{ write: boolean }> {
    return (await this.call<{ write: boolean }>('PUT', '/v1/broker/permission', { write })).body;
  }

  private async probe(path: string): Promise<boolean> {
    try {
      const res = await fetch(this.url + path, { signal: AbortSignal.timeout(this.timeoutMs) });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  private async getOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return (await this.call<T>('GET', path)).body;
    } catch (err) {
      if (err instanceof BrokerAdminError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async deleteOrFalse(path: string): Promise<boolean> {
    try {
      await this.call('DELETE', path);
      return true;
    } catch (err) {
      if (err instanceof BrokerAdminError && err.status === 404) return false;
      throw err;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new BrokerAdminError(0, undefined, `${method} ${this.url}${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const problem = parsed as { detail?: string; code?: number } | undefined;
      throw new BrokerAdminError(
        res.status,
        problem?.code,
        `${method} ${this.url}${path}: ${res.status} ${problem?.detail ?? text.slice(0, 200)}`,
      );
    }
    return { status: res.status, body: parsed as T };
  }
}

export const httpBrokerAdmin =
  (options: HttpBrokerAdminOptions = {}): BrokerAdminFactory =>
  (url, token) =>
    new HttpBrokerAdmin(url, token, options);
