import { describe, expect, it } from 'vitest';
import { parseRoute } from './routes.js';

describe('parseRoute', () => {
  it('parses core, grouped, namespaced and cluster-scoped resource paths', () => {
    expect(parseRoute('/api/v1/namespaces/ns/configmaps/a')).toEqual({
      kind: 'resource',
      group: '',
      version: 'v1',
      plural: 'configmaps',
      namespace: 'ns',
      name: 'a',
      watchPath: false,
    });
    expect(parseRoute('/apis/apps/v1/namespaces/ns/deployments/d/scale')).toMatchObject({
      group: 'apps',
      plural: 'deployments',
      name: 'd',
      subresource: 'scale',
    });
    expect(parseRoute('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/topics.rocketry.io')).toMatchObject({
      group: 'apiextensions.k8s.io',
      plural: 'customresourcedefinitions',
      name: 'topics.rocketry.io',
    });
    expect(parseRoute('/apis/rocketry.io/v1alpha1/topics')).toMatchObject({ plural: 'topics', watchPath: false });
  });

  it('tells the namespace object and its subresources from resources inside a namespace', () => {
    expect(parseRoute('/api/v1/namespaces/ns')).toMatchObject({ plural: 'namespaces', name: 'ns' });
    expect(parseRoute('/api/v1/namespaces/ns/finalize')).toMatchObject({
      plural: 'namespaces',
      name: 'ns',
      subresource: 'finalize',
    });
    expect(parseRoute('/api/v1/namespaces')).toMatchObject({ plural: 'namespaces' });
    expect(parseRoute('/api/v1/namespaces/ns/pods')).toMatchObject({ plural: 'pods', namespace: 'ns' });
  });

  it('recognises legacy /watch/ paths and discovery documents', () => {
    expect(parseRoute('/api/v1/watch/namespaces/ns/configmaps')).toMatchObject({
      plural: 'configmaps',
      watchPath: true,
    });
    expect(parseRoute('/api')).toEqual({ kind: 'discovery', path: 'api' });
    expect(parseRoute('/apis/apps')).toEqual({ kind: 'group', group: 'apps' });
    expect(parseRoute('/apis/apps/v1')).toEqual({ kind: 'group-version', group: 'apps', version: 'v1' });
    expect(parseRoute('/version')).toEqual({ kind: 'discovery', path: 'version' });
    expect(parseRoute('/metrics')).toEqual({ kind: 'unknown' });
  });
});
