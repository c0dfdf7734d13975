import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CRDS } from '@rocketry/crds';
import { KubeServer, startRocketry, tempDir } from '@rocketry/testkit';

/**
 * The operator under load (issue 5): against the in-test Kubernetes API server and one real broker (an External-mode
 * BrokerCluster pointing at its admin URL), `topics` Topic CRs are created at once; we time until every one is
 * `Ready=True` for its generation, count the operator's writes per Topic on the Kubernetes API (KubeServer's request
 * log: everything but the bench's own creates), and sample the operator's RSS. The operator runs in a child process
 * (`runOperator` from operator/dist, the built code), so its RSS is its own and not the bench's or the API server's.
 *
 * Targets: all Ready within 60 s, at most 2 writes per Topic, operator RSS under 256 MB.
 */
export interface OperatorBenchOptions {
  readonly topics: number;
  /** Topic creates in flight at once (the API server's side of "created at once"). */
  readonly createConcurrency: number;
  readonly timeoutMs: number;
  /** After the last Ready: how long to keep watching for further writes (steady state must write nothing). */
  readonly settleMs: number;
  /** Node flags of the operator process (e.g. `--max-old-space-size=128`); none by default. */
  readonly nodeFlags: readonly string[];
}

const TARGET_SECONDS = 60;
const TARGET_WRITES = 2;
const TARGET_RSS_MB = 256;
const NAMESPACE = 'bench';

interface Sample {
  readonly rss: number;
  readonly heapUsed: number;
}

export async function runOperatorBench(options: OperatorBenchOptions): Promise<void> {
  const say = (line: string) => console.log(line);
  say(`operator bench: ${options.topics} Topics created at once (${options.createConcurrency} creates in flight)`);
  const dir = await tempDir('rocketry-operator-bench-');
  const broker = await startRocketry(
    [
      'broker',
      ...['--data-dir', dir.path, '--grpc-host', '127.0.0.1', '--grpc-port', '0'],
      ...['--admin-host', '127.0.0.1', '--admin-port', '0', '--segment-mib', '8', '--log-level', 'info'],
      ...['--name', 'bench-0', '--group', 'bench-0'],
    ],
    /"grpc":"([^"]+)","admin":"(http:\/\/[^"]+)","msg":"broker started"/,
  );
  const adminUrl = broker.ready[2] as string;
  const kube = await KubeServer.start({ historySize: 20 * options.topics + 10_000 });
  let operator: ChildProcess | undefined;
  try {
    for (const crd of CRDS) kube.createObject(crd as never);
    const api = apiOf(kube.url);
    await api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await api.post(`/apis/rocketry.io/v1alpha1/namespaces/${NAMESPACE}/brokerclusters`, {
      apiVersion: 'rocketry.io/v1alpha1',
      kind: 'BrokerCluster',
      metadata: { name: 'prod', namespace: NAMESPACE },
      spec: { mode: 'External', external: { brokers: [{ name: 'bench-0', adminUrl }] } },
    });

    const kubeconfig = await kube.writeKubeconfig();
    const samples: Sample[] = [];
    const dist = fileURLToPath(new URL('../operator/dist', import.meta.url));
    operator = spawn(process.execPath, [...options.nodeFlags, '--input-type=module', '-e', CHILD, kubeconfig, dist], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = new Promise<void>((resolve) => {
      let buffered = '';
      operator?.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line === 'started') resolve();
          else if (line.startsWith('{')) samples.push(JSON.parse(line) as Sample);
          nl = buffered.indexOf('\n');
        }
      });
    });
    await started;
    // The operator lists the (empty) Topic cache and waits for events: what matters is the time from the first create.
    await new Promise((r) => setTimeout(r, 500));
    const idle = samples.at(-1);

    const names = Array.from({ length: options.topics }, (_, i) => `t-${String(i).padStart(5, '0')}`);
    const t0 = performance.now();
    // A watch (not list polling, which would load the API server and the bench's own CPU) sees each Topic turn Ready.
    const allReady = watchReady(kube.url, names.length, t0, options.timeoutMs);
    let next = 0;
    await Promise.all(
      Array.from({ length: options.createConcurrency }, async () => {
        while (next < names.length) {
          const name = names[next++] as string;
          await api.post(`/apis/rocketry.io/v1alpha1/namespaces/${NAMESPACE}/topics`, {
            apiVersion: 'rocketry.io/v1alpha1',
            kind: 'Topic',
            metadata: { name, namespace: NAMESPACE },
            spec: { clusterRef: { name: 'prod' }, messageType: 'NORMAL', queues: 4 },
          });
        }
      }),
    );
    const createdMs = performance.now() - t0;
    say(`created ${names.length} Topics in ${(createdMs / 1000).toFixed(2)} s`);

    const { ready, readyMs } = await allReady;
    const writesAtReady = operatorWrites(kube);
    await new Promise((r) => setTimeout(r, options.settleMs));
    const writes = operatorWrites(kube);
    const onBroker = ((await (await fetch(`${adminUrl}/v1/topics`)).json()) as { topics: { name: string }[] }).topics
      .length;

    const perTopic = [...writes.perTopic.values()];
    const maxWrites = Math.max(0, ...perTopic);
    const meanWrites = perTopic.reduce((a, b) => a + b, 0) / names.length;
    const peak = samples.reduce((m, s) => Math.max(m, s.rss), 0);
    const peakHeap = samples.reduce((m, s) => Math.max(m, s.heapUsed), 0);
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    say(
      readyMs === undefined
        ? `NOT all Ready: ${ready} of ${names.length} after ${(options.timeoutMs / 1000).toFixed(0)} s`
        : `all ${names.length} Ready in ${(readyMs / 1000).toFixed(2)} s (target ≤ ${TARGET_SECONDS} s)`,
    );
    say(`topics on the broker: ${onBroker}`);
    say(
      `operator writes per Topic: max ${maxWrites}, mean ${meanWrites.toFixed(2)} (target ≤ ${TARGET_WRITES}); ` +
        `${writes.topics} on Topics (${writesAtReady.topics} at the last Ready, ${writes.topics - writesAtReady.topics} ` +
        `in the ${options.settleMs / 1000} s after), ${writes.other} on other objects (${describe(writes.otherByResource)})`,
    );
    say(
      `operator RSS: peak ${mb(peak)} MB (target < ${TARGET_RSS_MB} MB), idle before the creates ${mb(idle?.rss ?? 0)} MB; ` +
        `peak heap used ${mb(peakHeap)} MB (child process: plain node${options.nodeFlags.length ? ` ${options.nodeFlags.join(' ')}` : ''} running operator/dist)`,
    );
    const pass =
      readyMs !== undefined &&
      readyMs <= TARGET_SECONDS * 1000 &&
      maxWrites <= TARGET_WRITES &&
      peak < TARGET_RSS_MB * 2 ** 20;
    say(pass ? 'PASS' : 'FAIL');
    if (!pass) process.exitCode = 1;
  } finally {
    if (operator && operator.exitCode === null) {
      operator.kill('SIGTERM');
      await once(operator, 'exit');
    }
    await kube.stop();
    await broker.stop('SIGKILL');
    await dir.remove();
  }
}

function apiOf(base: string) {
  return {
    async post(path: string, body: unknown): Promise<void> {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    },
  };
}

interface TopicView {
  metadata: { name?: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

/** Follows the Topic watch until `expected` Topics are Ready=True for their generation, or the timeout. */
async function watchReady(
  base: string,
  expected: number,
  t0: number,
  timeoutMs: number,
): Promise<{ ready: number; readyMs: number | undefined }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const ready = new Set<string>();
  try {
    const res = await fetch(`${base}/apis/rocketry.io/v1alpha1/namespaces/${NAMESPACE}/topics?watch=true`, {
      signal: abort.signal,
    });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const event = JSON.parse(buffered.slice(0, nl)) as { type: string; object: TopicView };
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        const t = event.object;
        const isReady =
          event.type !== 'DELETED' &&
          t.status?.observedGeneration === t.metadata.generation &&
          t.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (isReady) ready.add(t.metadata.name ?? '');
        else ready.delete(t.metadata.name ?? '');
        if (ready.size === expected) return { ready: ready.size, readyMs: performance.now() - t0 };
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return { ready: ready.size, readyMs: undefined };
}

/** Writes the operator made: every applied write except the bench's own creates (namespace, cluster, Topics). */
function operatorWrites(kube: KubeServer) {
  const perTopic = new Map<string, number>();
  const otherByResource = new Map<string, number>();
  let topics = 0;
  let other = 0;
  for (const w of kube.writes({})) {
    if (w.verb === 'create' && ['topics', 'namespaces', 'brokerclusters'].includes(w.plural ?? '')) continue;
    if (w.plural === 'topics') {
      topics++;
      perTopic.set(w.name ?? '', (perTopic.get(w.name ?? '') ?? 0) + 1);
    } else {
      other++;
      const k = `${w.verb} ${w.plural}${w.subresource ? `/${w.subresource}` : ''}`;
      otherByResource.set(k, (otherByResource.get(k) ?? 0) + 1);
    }
  }
  return { perTopic, topics, other, otherByResource };
}

const describe = (m: Map<string, number>) => [...m].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';

/**
 * The child: plain `node` (no tsx, no bench or testkit modules loaded, as `rocketry operator` runs) importing the
 * built operator: its entry point with the built-in reconcilers and the entity ones, against the kubeconfig, printing
 * `started` and then its memory every 100 ms as JSON lines.
 */
const CHILD = `
const [kubeconfig, dist] = process.argv.slice(1);
const { runOperator } = await import(dist + '/runtime/index.js');
const { builtInReconcilers } = await import(dist + '/reconcile/index.js');
const { entityReconcilers } = await import(dist + '/reconcile/entities/index.js');
const { httpBrokerAdmin } = await import(dist + '/broker-admin/http-broker-admin.js');
const { createRequire } = await import('node:module');
const { pino } = createRequire(dist + '/runtime/index.js')('pino');
const brokerAdmin = httpBrokerAdmin();
const entities = entityReconcilers({ brokerAdmin });
const kinds = new Set(entities.map((r) => r.kind));
const builtIn = builtInReconcilers({
  image: 'rocketry:bench', brokerAdmin, podDisruptionBudgets: true, clusterDomain: 'cluster.local',
}).filter((r) => !kinds.has(r.kind));
const handle = await runOperator({
  kubeconfig, http: false, leaderElection: false,
  logger: pino({ level: 'warn' }, pino.destination(2)),
  reconcilers: [...builtIn, ...entities],
});
const report = () => {
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed }) + '\\n');
};
process.stdout.write('started\\n');
report();
setInterval(report, 100);
process.once('SIGTERM', () => void handle.stop().then(() => process.exit(0)));
`;
