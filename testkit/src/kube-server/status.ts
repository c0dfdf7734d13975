/**
 * `metav1.Status` objects and the one error class the server throws. Reasons, codes and message texts follow
 * k8s.io/apimachinery/pkg/api/errors so clients that branch on `reason` or `code` behave as against a real cluster.
 */

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Forbidden'
  | 'Expired'
  | 'Gone'
  | 'ServiceUnavailable'
  | 'InternalError'
  | 'Timeout'
  | 'TooManyRequests';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message: string; field?: string }[];
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** A request the server refuses; `toStatus()` is what goes on the wire. */
export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** What the server names a resource in messages: `configmaps`, `deployments.apps`. */
export interface QualifiedResource {
  group: string;
  plural: string;
}

const qualified = (r: QualifiedResource): string => (r.group ? `${r.plural}.${r.group}` : r.plural);
const details = (r: QualifiedResource, name: string): StatusDetails => ({
  name,
  ...(r.group ? { group: r.group } : {}),
  kind: r.plural,
});

export const notFound = (r: QualifiedResource, name: string): KubeStatusError =>
  new KubeStatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name));

export const alreadyExists = (r: QualifiedResource, name: string): KubeStatusError =>
  new KubeStatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name));

export const conflict = (r: QualifiedResource, name: string): KubeStatusError =>
  new KubeStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details(r, name),
  );

export interface FieldCause {
  field: string;
  message: string;
}

export const invalid = (kind: string, group: string, name: string, causes: FieldCause[]): KubeStatusError =>
  new KubeStatusError(
    422,
    'Invalid',
    `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    },
  );

export const badRequest = (message: string): KubeStatusError => new KubeStatusError(400, 'BadRequest', message);

export const gone = (message: string): KubeStatusError => new KubeStatusError(410, 'Expired', message);

export const success = (r: QualifiedResource, name: string, uid: string): Status => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  details: { ...details(r, name), uid },
  code: 200,
});
