import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CRDS } from './crds.js';
import { crdFiles } from './manifests.js';
import { committedFiles } from './testing/committed.js';

describe('committed CRD YAML', () => {
  it('is exactly what the TypeBox source generates (run `npm run generate -w crds` after changing crds/src)', () => {
    const generated = crdFiles().sort((a, b) => a.name.localeCompare(b.name));
    const committed = committedFiles();
    expect(committed.map((f) => f.name)).toEqual(generated.map((f) => f.name));
    for (const [i, file] of generated.entries()) {
      expect(committed[i]?.text, `crds/generated/${file.name} is stale`).toBe(file.text);
    }
  });

  it('parses back to the exported CRD objects', () => {
    const parsed = committedFiles().map((f) => parse(f.text));
    expect(parsed).toEqual(expect.arrayContaining(CRDS.map((crd) => JSON.parse(JSON.stringify(crd)))));
    expect(parsed).toHaveLength(CRDS.length);
  });

  it('writes every CEL rule on one line, verbatim', () => {
    for (const { text } of committedFiles()) {
      for (const line of text.split('\n').filter((l) => /^\s*- rule: /.test(l))) {
        expect(line).not.toMatch(/ rule: [|>]/);
      }
    }
  });
});
