/**
 * A worker thread of forest-threads.ts: claims trees from the shared counter until none is left,
 * grows them, and answers with them (their buffers transferred, not copied), counting each tree and
 * its answer in shared memory so the waiting thread wakes.
 */
import { workerData } from 'node:worker_threads';
import { CLAIMED, EVENTS, FINISHED, type ForestWorkerData, type ForestWorkerReply, NEXT, answeredSlot } from './forest-threads.js';
import { ForestGrower } from './tree-grower.js';

const job = workerData as ForestWorkerData;
const shared = new Int32Array(job.shared);
const signal = (slot: number, add: number) => {
  Atomics.add(shared, slot, add);
  Atomics.add(shared, EVENTS, 1);
  Atomics.notify(shared, EVENTS);
};
const indices: number[] = [];
let reply: ForestWorkerReply;
let transfer: ArrayBuffer[] = [];
try {
  const grower = new ForestGrower(job);
  const trees = [];
  for (let t = Atomics.add(shared, NEXT, 1); t < job.seeds.length; t = Atomics.add(shared, NEXT, 1)) {
    Atomics.add(shared, CLAIMED + job.worker, 1);
    trees.push(grower.tree(job.seeds[t]));
    indices.push(t);
    signal(FINISHED, 1);
  }
  reply = { indices, trees };
  transfer = trees.flatMap((t) => [t.feature, t.threshold, t.left, t.right, t.value, t.weight].map((a) => a.buffer as ArrayBuffer));
} catch (e) {
  reply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  // The tree that failed counts as finished, so the waiting thread does not wait for it.
  Atomics.add(shared, FINISHED, 1);
}
job.port.postMessage(reply, transfer);
signal(answeredSlot(job.workers, job.worker), 1);
