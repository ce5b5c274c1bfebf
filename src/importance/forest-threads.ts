/**
 * Grows a forest's trees on worker threads, synchronously: fANOVA's API is synchronous (as
 * Optuna's is), so this thread blocks on a shared counter (Atomics.wait) while the workers grow
 * their share of the trees, then takes their replies off the message ports with
 * `receiveMessageOnPort`, which needs no event loop. Trees are independent (each has its own seed),
 * so the forest is the same for any number of threads.
 *
 * The workers run the built module beside this one (dist/src/importance/forest-worker.js); from
 * the TypeScript sources (tests) there is none, and the caller grows the trees itself.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { BinnedFeatures, FeatureKind } from './feature-bins.js';
import type { RegressionTree } from './regression-tree.js';
import type { GrowthOptions } from './tree-grower.js';

/** What every worker needs: the binned features, their kinds, the centred responses, the growth rules. */
export interface ForestJob {
  readonly bins: BinnedFeatures;
  readonly features: readonly FeatureKind[];
  readonly centred: Float64Array;
  readonly options: GrowthOptions;
}

/** A worker's data: the job, the seeds of its trees, the port to answer on and the shared progress counter. */
export interface ForestWorkerData extends ForestJob {
  readonly seeds: readonly number[];
  readonly port: MessagePort;
  /** Int32 counter: +1 per tree grown and +1 when a worker has answered. */
  readonly progress: SharedArrayBuffer;
}

export type ForestWorkerReply = { readonly trees: RegressionTree[] } | { readonly error: string };

/** With no tree finished anywhere for this long, the threads are given up and the caller grows the trees itself. */
const STALL_MS = 120_000;

/** The built worker module beside this one, or null (running from the sources). */
function workerPath(): string | null {
  const path = fileURLToPath(new URL('./forest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * The trees of `seeds`, in order, grown on `threads` worker threads (contiguous shares of the
 * seeds); null when there is no built worker or the threads stall. A tree that fails throws.
 */
export function growTreesInThreads(job: ForestJob, seeds: readonly number[], threads: number): RegressionTree[] | null {
  const path = workerPath();
  if (path === null) return null;
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const shares: number[][] = [];
  for (let w = 0; w < threads; w++) {
    const share = seeds.slice(Math.floor((w * seeds.length) / threads), Math.floor(((w + 1) * seeds.length) / threads));
    if (share.length > 0) shares.push(share);
  }
  const running = shares.map((share) => {
    const { port1, port2 } = new MessageChannel();
    const workerData: ForestWorkerData = { ...job, seeds: share, port: port2, progress: progress.buffer as SharedArrayBuffer };
    const worker = new Worker(path, { workerData, transferList: [port2] });
    worker.unref();
    return { worker, port: port1 };
  });
  try {
    const expected = seeds.length + running.length;
    let seen = Atomics.load(progress, 0);
    while (seen < expected) {
      if (Atomics.wait(progress, 0, seen, STALL_MS) === 'timed-out' && Atomics.load(progress, 0) === seen) return null;
      seen = Atomics.load(progress, 0);
    }
    const trees: RegressionTree[] = [];
    for (const { port } of running) {
      const reply = receiveMessageOnPort(port)?.message as ForestWorkerReply | undefined;
      if (reply === undefined) return null;
      if ('error' in reply) throw new Error(`growing the random forest failed on a worker thread: ${reply.error}`);
      trees.push(...reply.trees);
    }
    return trees;
  } finally {
    for (const { worker, port } of running) {
      port.close();
      void worker.terminate();
    }
  }
}
