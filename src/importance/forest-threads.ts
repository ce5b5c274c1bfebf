/**
 * Grows a forest's trees on this thread and on the pool's worker threads together
 * (forest-pool.ts). fANOVA's API is synchronous (as Optuna's is), so there is no event loop to
 * wait on: every worker is sent the task, the threads claim trees one at a time from a shared
 * counter (a thread that is faster simply grows more), count what they finish in shared memory,
 * and this thread, once it finds no tree left to claim, blocks on that memory (Atomics.wait) until
 * the workers have answered, then takes their trees off the message ports with
 * `receiveMessageOnPort`, which needs no event loop either. Each tree depends on its seed alone, so
 * the forest is the same for any number of threads; a tree a worker has not delivered after a long
 * stall is grown here, and the pool is started afresh next time.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { type ForestTask, ForestTaskRunner, type GrownTree } from './forest-task.js';
import { borrowWorkers, closeForestPool } from './forest-pool.js';

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

/** A request to a worker: the task, its number among the call's workers, the shared counters; `call` tells answers to calls apart. */
export interface ForestWorkerRequest {
  readonly call: number;
  readonly task: ForestTask;
  readonly worker: number;
  readonly workers: number;
  readonly shared: SharedArrayBuffer;
}

/** A worker's answer: the trees it grew, by index; or what went wrong. */
export type ForestWorkerReply = { readonly call: number } & ({ readonly indices: number[]; readonly trees: GrownTree[] } | { readonly error: string });

/** With nothing finished anywhere for this long, the workers are given up and their trees grown here. */
const STALL_MS = 120_000;

let calls = 0;

/** One result per seed, in order, grown on this thread and up to `threads − 1` pooled worker threads. A tree that fails throws. */
export function growForest(task: ForestTask, threads: number): GrownTree[] {
  const n = task.seeds.length;
  const runner = new ForestTaskRunner(task);
  const running = threads > 1 && n > 1 ? borrowWorkers(Math.min(threads, n) - 1) : [];
  if (running.length === 0) return task.seeds.map((_, t) => runner.run(t));
  const workers = running.length;
  const call = ++calls;
  const shared = new Int32Array(new SharedArrayBuffer(4 * (CLAIMED + 2 * workers)));
  running.forEach(({ port }, w) => {
    const request: ForestWorkerRequest = { call, task, worker: w, workers, shared: shared.buffer as SharedArrayBuffer };
    port.postMessage(request);
  });
  const results: (GrownTree | undefined)[] = new Array<GrownTree | undefined>(n);
  let failure: string | null = null;
  try {
    for (let t = Atomics.add(shared, NEXT, 1); t < n; t = Atomics.add(shared, NEXT, 1)) {
      results[t] = runner.run(t);
      Atomics.add(shared, FINISHED, 1);
    }
    // Wait for every tree, and for the answer of every worker that claimed one.
    const complete = () => Atomics.load(shared, FINISHED) === n && running.every((_, w) => Atomics.load(shared, CLAIMED + w) === 0 || Atomics.load(shared, answeredSlot(workers, w)) === 1);
    let stalled = false;
    for (let seen = Atomics.load(shared, EVENTS); !complete(); seen = Atomics.load(shared, EVENTS)) {
      if (Atomics.wait(shared, EVENTS, seen, STALL_MS) === 'timed-out' && Atomics.load(shared, EVENTS) === seen) {
        stalled = true;
        break;
      }
    }
    for (let w = 0; w < workers; w++) {
      if (Atomics.load(shared, CLAIMED + w) === 0) continue;
      for (let m = receiveMessageOnPort(running[w].port); m !== undefined; m = receiveMessageOnPort(running[w].port)) {
        const reply = m.message as ForestWorkerReply;
        if (reply.call !== call) continue; // an answer to an earlier call that gave up waiting for it
        if ('error' in reply) failure = reply.error;
        else reply.indices.forEach((t, k) => (results[t] = reply.trees[k]));
        break;
      }
    }
    if (stalled) closeForestPool();
  } finally {
    // Nothing left for the workers to claim, should this thread have failed.
    Atomics.store(shared, NEXT, n);
  }
  if (failure !== null) throw new Error(`growing the random forest failed on a worker thread: ${failure}`);
  return results.map((result, t) => result ?? runner.run(t));
}
