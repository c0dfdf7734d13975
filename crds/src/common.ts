import { type Static, type TLiteral, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/** API group and version of every Rocketry kind (DESIGN.md §1). */
export const GROUP = 'rocketry.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** `kubectl get rocketry` lists every Rocketry object in a namespace. */
export const CATEGORY = 'rocketry';

/** Marks a rule object with the TypeScript predicate that mirrors its CEL text (validate-spec.ts runs it). */
export const CHECK: unique symbol = Symbol('rocketry.celCheck');

/**
 * A CEL rule as it goes into `x-kubernetes-validations`, carrying a TypeScript predicate that mirrors it. The
 * predicate is what `validateSpec` runs (the operator has no CEL engine); the tests evaluate the CEL text read from
 * the generated YAML and require both to agree on every case. A rule that names `oldSelf` is a transition rule and
 * only runs on updates.
 */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  readonly [CHECK]: (self: never, oldSelf: never) => boolean;
}

export function celRule<T>(
  rule: string,
  message: string,
  check: (self: T, oldSelf: T) => boolean,
  extra: Pick<CelRule, 'fieldPath' | 'reason'> = {},
): CelRule {
  return { rule, message, ...extra, [CHECK]: check as CelRule[typeof CHECK] };
}

/** A string enum: TypeBox checks it as a union of literals; the CRD generator turns it into `type: string, enum`. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: { description?: string; default?: T[number] } = {},
): TUnion<TLiteral<T[number]>[]> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<TLiteral<T[number]>[]>;
}

/** RFC 1123 label: the names of Kubernetes objects this operator references or creates from user input. */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** RFC 1123 subdomain (Secret and workload names). */
export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export const ObjectName = (description: string) =>
  Type.String({ description, minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN });

/**
 * A Kubernetes resource quantity (`10Gi`, `500m`, `2`), shaped as the Kubernetes API shapes `resource.Quantity`:
 * an integer or a string matching the quantity grammar.
 */
export const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
export const Quantity = (options: { description?: string; default?: string } = {}) =>
  Type.Union([Type.Integer(), Type.String({ pattern: QUANTITY_PATTERN })], {
    ...options,
    'x-kubernetes-int-or-string': true,
  });

/** Pod resources: `requests` and `limits` by resource name (`cpu`, `memory`, …), as in core/v1. */
export const ResourceRequirements = Type.Object(
  {
    requests: Type.Optional(
      Type.Record(Type.String(), Quantity(), { description: 'Minimum resources the pod is scheduled with.' }),
    ),
    limits: Type.Optional(
      Type.Record(Type.String(), Quantity(), { description: 'Maximum resources the container may use.' }),
    ),
  },
  { description: 'Compute resources of each container, as in core/v1 ResourceRequirements.' },
);
export type ResourceRequirements = Static<typeof ResourceRequirements>;

/** One key of a Secret in the object's own namespace. */
export const SecretKeyRef = (description: string, defaultKey: string) =>
  Type.Object(
    {
      name: ObjectName('Name of the Secret, in the namespace of this object.'),
      key: Type.String({
        description: `Key in the Secret (default \`${defaultKey}\`).`,
        minLength: 1,
        maxLength: 253,
        pattern: '^[-._a-zA-Z0-9]+$',
        default: defaultKey,
      }),
    },
    { description },
  );

/**
 * The BrokerCluster an entity (Topic, ConsumerGroup, EventRule) belongs to. Immutable: moving an entity to another
 * cluster is a delete and a create, so the operator never has to move broker state between clusters.
 */
export const ClusterRef = Type.Object(
  {
    name: Type.String({
      description: 'Name of the BrokerCluster.',
      minLength: 1,
      maxLength: 63,
      pattern: DNS_LABEL,
    }),
    namespace: Type.Optional(
      Type.String({
        description:
          "Namespace of the BrokerCluster; this object's namespace when omitted. Another namespace works only when " +
          "the cluster's spec.allowedNamespaces admits this object's namespace.",
        minLength: 1,
        maxLength: 63,
        pattern: DNS_LABEL,
      }),
    ),
  },
  {
    description: 'The BrokerCluster this object belongs to. Immutable.',
    'x-kubernetes-validations': [
      celRule<ClusterRefValue>('self == oldSelf', 'clusterRef is immutable', (self, old) => sameJson(self, old)),
    ],
  },
);
interface ClusterRefValue {
  name: string;
  namespace?: string;
}
export type ClusterRef = Static<typeof ClusterRef>;

/** Deep equality of JSON values (what CEL `==` means for maps, lists and scalars). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** metav1.Condition, with the validation the Kubernetes API types carry. */
export const Condition = Type.Object(
  {
    type: Type.String({
      description: 'Condition type in CamelCase (Ready, Available, Progressing, Degraded, ...).',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: StringEnum(['True', 'False', 'Unknown'] as const, { description: 'True, False or Unknown.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        description: 'metadata.generation the condition was set from.',
        minimum: 0,
        format: 'int64',
      }),
    ),
    lastTransitionTime: Type.String({
      description: 'When the status last changed.',
      format: 'date-time',
    }),
    reason: Type.String({
      description: 'Programmatic reason in CamelCase; documented per kind.',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({ description: 'Human-readable detail; may be empty.', maxLength: 32768 }),
  },
  { description: 'An observation of the object, shaped like metav1.Condition.' },
);
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  description: 'Current observations. Every kind has Ready; see each kind for the others and the reasons.',
  maxItems: 16,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

/** Fields every kind's status has. */
export const statusBase = {
  observedGeneration: Type.Optional(
    Type.Integer({
      description: 'metadata.generation the operator last reconciled; with Ready=True it means "done".',
      minimum: 0,
      format: 'int64',
    }),
  ),
  conditions: Type.Optional(Conditions),
};

/**
 * The metadata the operator reads and writes. Timestamps stay RFC 3339 strings, as they are in the JSON the API
 * server sends.
 */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A whole custom resource of one kind, as the API server returns it (defaults applied). */
export interface CustomResource<K extends string, Spec, Status> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** The schema of a whole object: apiVersion, kind, metadata (opaque to CRDs), spec and status. */
export function resourceSchema(spec: TSchema, status: TSchema, rootRules: readonly CelRule[] = []) {
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String({ description: 'rocketry.io/v1alpha1' })),
      kind: Type.Optional(Type.String({ description: 'The kind of this object.' })),
      metadata: Type.Optional(Type.Object({}, { description: 'Standard object metadata.' })),
      spec,
      status: Type.Optional(status),
    },
    rootRules.length > 0 ? { 'x-kubernetes-validations': [...rootRules] } : {},
  );
}
