import { describe, expect, it } from 'vitest';
import {
  labelSelectorToString,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.js';
import { KubeStatusError } from './status.js';

const labels = { app: 'broker', tier: 'backend', shard: '3' };
const match = (selector: string, l: Record<string, string> | undefined = labels) =>
  matchesLabels(parseLabelSelector(selector), l);

describe('label selectors', () => {
  it('matches equality, inequality and double equals', () => {
    expect(match('app=broker')).toBe(true);
    expect(match('app==broker')).toBe(true);
    expect(match('app=namesrv')).toBe(false);
    expect(match('app!=namesrv')).toBe(true);
    expect(match('missing!=x')).toBe(true);
  });

  it('matches set membership with in and notin, commas inside parentheses included', () => {
    expect(match('app in (broker, namesrv),tier=backend')).toBe(true);
    expect(match('app notin (broker,namesrv)')).toBe(false);
    expect(match('missing notin (a)')).toBe(true);
    expect(match('missing in (a)')).toBe(false);
  });

  it('matches existence and absence', () => {
    expect(match('tier')).toBe(true);
    expect(match('!tier')).toBe(false);
    expect(match('!missing,app')).toBe(true);
  });

  it('matches integer comparisons', () => {
    expect(match('shard>2')).toBe(true);
    expect(match('shard<3')).toBe(false);
  });

  it('selects everything when empty and nothing unlabeled when a label is required', () => {
    expect(matchesLabels(parseLabelSelector(''), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
  });

  it('rejects malformed selectors with 400 BadRequest', () => {
    for (const bad of ['app in ()', 'a,,b', 'bad key=1', 'x>y']) {
      expect(() => parseLabelSelector(bad)).toThrow(KubeStatusError);
    }
  });

  it('renders a LabelSelector object as the string /scale reports', () => {
    expect(
      labelSelectorToString({
        matchLabels: { b: '2', a: '1' },
        matchExpressions: [
          { key: 'c', operator: 'In', values: ['y', 'x'] },
          { key: 'd', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('a=1,b=2,c in (x,y),!d');
  });
});

describe('field selectors', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns' }, status: { phase: 'Running' } };

  it('matches =, == and != on dotted paths', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=a,metadata.namespace==ns'), obj)).toBe(true);
    expect(matchesFields(parseFieldSelector('status.phase!=Running'), obj)).toBe(false);
    expect(matchesFields(parseFieldSelector('metadata.name=b'), obj)).toBe(false);
  });

  it('rejects a term without an operator', () => {
    expect(() => parseFieldSelector('metadata.name')).toThrow(KubeStatusError);
  });
});
