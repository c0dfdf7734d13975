import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * Docker is not available here: the image's contract with the rendered pods (operator/src/render/pod-common.ts and
 * the chart) is checked by reading the Dockerfile. Whether it builds is verified only where Docker exists (e2e/kind).
 */
const root = new URL('../../../', import.meta.url);

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions of each stage, split at FROM. */
function stages(all: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of all) {
    if (i.keyword === 'FROM') out.push([]);
    out[out.length - 1]?.push(i);
  }
  return out;
}

describe('Dockerfile', async () => {
  const all = instructions(await readFile(new URL('Dockerfile', root), 'utf8'));
  const [build = [], final = []] = stages(all);
  const args = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('builds in two stages on Node 20 slim images', () => {
    expect(stages(all)).toHaveLength(2);
    for (const from of args(all, 'FROM')) expect(from).toMatch(/^node:20-(bookworm-)?slim\b/);
  });

  it('installs with npm ci, builds, then prunes dev dependencies', () => {
    const runs = args(build, 'RUN').join(' && ');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run build'));
  });

  it('runs as uid and gid 1000, numerically, in the final stage', () => {
    expect(args(final, 'USER')).toEqual(['1000:1000']);
  });

  it('has `rocketry` on PATH as bin/rocketry.js and as the exec-form entrypoint', () => {
    expect(args(final, 'RUN').join(' ')).toMatch(/ln -s \/app\/bin\/rocketry\.js \/usr\/local\/bin\/rocketry\b/);
    expect(args(final, 'ENTRYPOINT')).toEqual(['["rocketry"]']);
    expect(JSON.parse(args(final, 'ENTRYPOINT')[0] ?? '')).toEqual(['rocketry']);
  });

  it('ships the built packages and the chart values that `rocketry operator manifests` reads', () => {
    const copies = args(final, 'COPY').join('\n');
    for (const dir of ['node_modules', 'bin', 'crds', 'dataplane', 'operator', 'api', 'charts']) {
      expect(copies).toContain(`/app/${dir} ./${dir}`);
    }
  });

  it('keeps local dependencies and builds out of the context, and never ADDs a URL', async () => {
    const ignore = (await readFile(new URL('.dockerignore', root), 'utf8')).split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
    expect(ignore.some((l) => /^[^#]*charts/.test(l))).toBe(false);
    expect(args(all, 'ADD')).toEqual([]);
  });
});
