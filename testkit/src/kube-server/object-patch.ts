/** A PATCH request's body applied to a stored object, by content type (see patch.ts for the formats). */
import type { KubeObject } from './kube-object.js';
import type { PatchType } from './object-store.js';
import { checkStrategicMergePatch, type Json, jsonPatch, mergePatch } from './patch.js';
import type { ResourceType } from './resource-types.js';
import { badRequest, KubeStatusError } from './status.js';

export function patchObject(type: ResourceType, old: KubeObject, patchType: PatchType, body: Json): KubeObject {
  let patched: Json;
  if (patchType === 'json') patched = jsonPatch(old as unknown as Json, body);
  else {
    if (patchType === 'strategic') {
      // The apiserver has no strategic merge metadata for custom resources and refuses the content type.
      if (type.custom) {
        throw new KubeStatusError(
          415,
          'UnsupportedMediaType',
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      }
      checkStrategicMergePatch(body);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('a merge patch must be a JSON object');
    patched = mergePatch(old as unknown as Json, body);
  }
  const obj = patched as unknown as KubeObject;
  if (typeof obj !== 'object' || obj === null || typeof obj.metadata !== 'object' || obj.metadata === null) {
    throw badRequest('the patch removed the object metadata');
  }
  return obj;
}
