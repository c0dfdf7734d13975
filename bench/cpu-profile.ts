import { readFile } from 'node:fs/promises';

/**
 * Where a V8 CPU profile (`node --cpu-prof`) spends its time: self time per function and per file, largest first.
 * `node --import tsx bench/cpu-profile.ts <file.cpuprofile> [top]`; the gRPC suite prints it for the broker's profile.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly functions: { name: string; selfMs: number }[];
  readonly files: { name: string; selfMs: number }[];
}

export async function summarizeProfile(path: string, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    totalUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    const file = shortFile(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(file || frame.functionName, (files.get(file || frame.functionName) ?? 0) + us);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000 }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: ranked(functions), files: ranked(files) };
}

function shortFile(url: string): string {
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) return url.slice(at + 'node_modules/'.length);
  const dist = url.indexOf('/dataplane/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

export function printProfile(summary: ProfileSummary, say: (line: string) => void): void {
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1)}%`.padStart(6);
  say(`  busy ${(busy / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s sampled; self time by file:`);
  for (const f of summary.files.filter((f) => f.name !== '(idle)').slice(0, 12)) say(`  ${pct(f.selfMs)}  ${f.name}`);
  say('  by function:');
  for (const f of summary.functions.filter((f) => !f.name.startsWith('(idle)')).slice(0, 20)) {
    say(`  ${pct(f.selfMs)}  ${f.name}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) {
  const [path, top] = process.argv.slice(2);
  if (!path) throw new Error('usage: node --import tsx bench/cpu-profile.ts <file.cpuprofile> [top]');
  printProfile(await summarizeProfile(path, Number(top ?? 25)), console.log);
}
