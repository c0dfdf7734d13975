import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { type EnumTypeDefinition, loadSync, type PackageDefinition } from '@grpc/proto-loader';

/** The protos shipped by the official client, loaded in place (never copied); wire.ts describes the object shapes. */
const PROTO_ROOT = join(
  dirname(createRequire(import.meta.url).resolve('rocketmq-client-nodejs/package.json')),
  'proto',
);

let loaded: PackageDefinition | undefined;

function protos(): PackageDefinition {
  loaded ??= loadSync('apache/rocketmq/v2/service.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    arrays: true,
    objects: true,
    oneofs: true,
  });
  return loaded;
}

export function loadMessagingService(): ServiceDefinition {
  return protos()['apache.rocketmq.v2.MessagingService'] as ServiceDefinition;
}

let codes: Map<string, number> | undefined;

/** A decoded `apache.rocketmq.v2.Code` (its name, as the loader presents enums) as its number. */
export function codeNumber(code: string | number): number {
  if (typeof code === 'number') return code;
  const { type } = protos()['apache.rocketmq.v2.Code'] as EnumTypeDefinition;
  codes ??= new Map((type as { value: { name: string; number: number }[] }).value.map((v) => [v.name, v.number]));
  return codes.get(code) ?? 0;
}
