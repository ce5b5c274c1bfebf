/**
 * Grows a forest's trees on this thread and on worker threads together. fANOVA's API is
 * synchronous (as Optuna's is), so there is no event loop to wait on: the threads claim trees one
 * at a time from a shared counter (a thread that is faster, or warmed up already, simply grows
 * more), count what they finish in shared memory, and this thread, once it finds no tree left to
 * claim, blocks on that memory (Atomics.wait) until the workers have answered, then takes their
 * trees off the message ports with `receiveMessageOnPort`, which needs no event loop either.
 * Each tree depends on its seed alone, so the forest is the same for any number of threads; a tree
 * a worker has not delivered after a long stall is grown here.
 *
 * The workers run the built module beside this one (dist/src/importance/forest-worker.js); from
 * the TypeScript sources (tests) there is none, and every tree grows on this thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { RegressionTree } from './regression-tree.js';
import { type ForestJob, ForestGrower } from './tree-grower.js';

/**
 * The shared counters (Int32): the next tree to claim, the trees finished, a count of events (a
 * tree finished, a worker answered) to wait on, then per worker the trees it claimed and whether it
 * answered.
 */
export const NEXT = 0;
export const FINISHED = 1;
export const EVENTS = 2;
export const CLAIMED = 3;
export const answeredSlot = (workers: number, w: number): number => CLAIMED + workers + w;

/** A worker's data: the job, every tree's seed, its number, the port to answer on, the shared counters. */
export interface ForestWorkerData extends ForestJob {
  readonly seeds: readonly number[];
  readonly worker: number;
  readonly workers: number;
  readonly port: MessagePort;
  readonly shared: SharedArrayBuffer;
}

/** A worker's answer: the trees it grew, by index; or what went wrong. */
export type ForestWorkerReply = { readonly indices: number[]; readonly trees: RegressionTree[] } | { readonly error: string };

/** With nothing finished anywhere for this long, the workers are given up and their trees grown here. */
const STALL_MS = 120_000;

/** The built worker module beside this one, or null (running from the sources). */
function workerPath(): string | null {
  const path = fileURLToPath(new URL('./forest-worker.js', import.meta.url));
  return existsSync(path) ? path : null;
}

/** One tree per seed, in order, grown on this thread and up to `threads − 1` worker threads. A tree that fails throws. */
export function growForest(job: ForestJob, seeds: readonly number[], threads: number): RegressionTree[] {
  const grower = new ForestGrower(job);
  const path = threads > 1 && seeds.length > 1 ? workerPath() : null;
  if (path === null) return seeds.map((seed) => grower.tree(seed));
  const workers = Math.min(threads, seeds.length) - 1;
  const shared = new Int32Array(new SharedArrayBuffer(4 * (CLAIMED + 2 * workers)));
  const running = Array.from({ length: workers }, (_, w) => {
    const { port1, port2 } = new MessageChannel();
    const workerData: ForestWorkerData = { ...job, seeds, worker: w, workers, port: port2, shared: shared.buffer as SharedArrayBuffer };
    const worker = new Worker(path, { workerData, transferList: [port2] });
    worker.unref();
    return { worker, port: port1 };
  });
  const trees: (RegressionTree | undefined)[] = new Array<RegressionTree | undefined>(seeds.length);
  try {
    for (let t = Atomics.add(shared, NEXT, 1); t < seeds.length; t = Atomics.add(shared, NEXT, 1)) {
      trees[t] = grower.tree(seeds[t]);
      Atomics.add(shared, FINISHED, 1);
    }
    // Wait for every tree, and for the answer of every worker that claimed one.
    const complete = () => Atomics.load(shared, FINISHED) === seeds.length && running.every((_, w) => Atomics.load(shared, CLAIMED + w) === 0 || Atomics.load(shared, answeredSlot(workers, w)) === 1);
    for (let seen = Atomics.load(shared, EVENTS); !complete(); seen = Atomics.load(shared, EVENTS)) {
      if (Atomics.wait(shared, EVENTS, seen, STALL_MS) === 'timed-out' && Atomics.load(shared, EVENTS) === seen) break;
    }
    running.forEach(({ port }) => {
      const reply = receiveMessageOnPort(port)?.message as ForestWorkerReply | undefined;
      if (reply === undefined) return;
      if ('error' in reply) throw new Error(`growing the random forest failed on a worker thread: ${reply.error}`);
      reply.indices.forEach((t, k) => (trees[t] = reply.trees[k]));
    });
  } finally {
    for (const { worker, port } of running) {
      port.close();
      void worker.terminate();
    }
  }
  return trees.map((tree, t) => tree ?? grower.tree(seeds[t]));
}
