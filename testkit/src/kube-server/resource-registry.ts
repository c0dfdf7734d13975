/** The resources the server serves right now: the built-ins plus one per established CustomResourceDefinition. */
import { BUILTIN_RESOURCE_TYPES, type ResourceType, resourceKey } from './resource-types.js';

export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();

  constructor(builtins: readonly ResourceType[] = BUILTIN_RESOURCE_TYPES) {
    for (const t of builtins) this.types.set(resourceKey(t), t);
  }

  /** The resource served at group/version/plural, or undefined when that version is not served. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    const t = this.types.get(`${group}/${plural}`);
    return t?.versions.includes(version) ? t : undefined;
  }

  byKey(key: string): ResourceType | undefined {
    return this.types.get(key);
  }

  /** The resource serving `kind` at `apiVersion` (`v1`, `apps/v1`, `rocketry.io/v1alpha1`). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const slash = apiVersion.lastIndexOf('/');
    const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
    const version = apiVersion.slice(slash + 1);
    return this.all().find((t) => t.kind === kind && t.group === group && t.versions.includes(version));
  }

  register(type: ResourceType): void {
    this.types.set(resourceKey(type), type);
  }

  unregister(type: { group: string; plural: string }): void {
    this.types.delete(resourceKey(type));
  }

  all(): ResourceType[] {
    return [...this.types.values()];
  }
}
