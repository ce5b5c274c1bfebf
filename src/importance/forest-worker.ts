/**
 * A worker thread of forest-threads.ts: grows the trees of its seeds and answers with them (their
 * buffers transferred, not copied), counting each tree and its answer on the shared progress
 * counter so the waiting thread wakes.
 */
import { workerData } from 'node:worker_threads';
import type { ForestWorkerData, ForestWorkerReply } from './forest-threads.js';
import { growTrees } from './tree-grower.js';

const job = workerData as ForestWorkerData;
const progress = new Int32Array(job.progress);
let grown = 0;
let reply: ForestWorkerReply;
let transfer: ArrayBuffer[] = [];
try {
  const trees = growTrees(job.bins, job.features, job.centred, job.options, job.seeds, () => {
    grown++;
    Atomics.add(progress, 0, 1);
    Atomics.notify(progress, 0);
  });
  reply = { trees };
  transfer = trees.flatMap((t) => [t.feature, t.threshold, t.left, t.right, t.value, t.weight].map((a) => a.buffer as ArrayBuffer));
} catch (e) {
  reply = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
job.port.postMessage(reply, transfer);
// The trees this worker did not grow (after an error) and its answer.
Atomics.add(progress, 0, job.seeds.length - grown + 1);
Atomics.notify(progress, 0);
