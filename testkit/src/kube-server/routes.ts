/**
 * REST paths of the Kubernetes API, parsed into what a request addresses.
 *
 *   /api/v1[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 *   /apis/{group}/{version}[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
 *   /api/v1/namespaces/{name}[/status|/finalize]     (the namespace itself)
 *   /api, /api/v1, /apis, /apis/{group}, /apis/{group}/{version}, /version, /healthz, /livez, /readyz
 */

export type Route =
  | { kind: 'discovery'; path: 'api' | 'apis' | 'version' | 'health' }
  | { kind: 'group'; group: string }
  | { kind: 'group-version'; group: string; version: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      plural: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      /** A legacy /watch/ path. */
      watchPath: boolean;
    }
  | { kind: 'unknown' };

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  if (parts.length === 0) return { kind: 'unknown' };
  if (parts.length === 1 && parts[0] === 'version') return { kind: 'discovery', path: 'version' };
  if (parts.length === 1 && ['healthz', 'livez', 'readyz'].includes(parts[0]!))
    return { kind: 'discovery', path: 'health' };
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', path: 'api' };
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', path: 'apis' };
    if (parts.length === 2) return { kind: 'group', group: parts[1]! };
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) return { kind: 'group-version', group, version };
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  const base = { kind: 'resource' as const, group, version, watchPath };
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    const ns = rest[1]!;
    // The namespace object itself: /namespaces/{name} and /namespaces/{name}/{status|finalize}.
    if (rest.length === 2) return { ...base, plural: 'namespaces', name: ns };
    if (rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')) {
      return { ...base, plural: 'namespaces', name: ns, subresource: rest[2] };
    }
    if (rest.length > 5) return { kind: 'unknown' };
    return {
      ...base,
      namespace: ns,
      plural: rest[2]!,
      ...(rest[3] !== undefined ? { name: rest[3] } : {}),
      ...(rest[4] !== undefined ? { subresource: rest[4] } : {}),
    };
  }
  if (rest.length > 3) return { kind: 'unknown' };
  return {
    ...base,
    plural: rest[0]!,
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
    ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
  };
}
