/**
 * A pooled worker thread of forest-threads.ts (forest-pool.ts): for each request, claims trees
 * from the shared counter until none is left, grows (and measures) them, and answers with them
 * (their buffers transferred, not copied), counting each tree and its answer in shared memory so
 * the waiting thread wakes. It then waits for the next request, its compiled code warm.
 */
import { workerData } from 'node:worker_threads';
import type { ForestWorkerData } from './forest-pool.js';
import { ForestTaskRunner, type GrownTree } from './forest-task.js';
import { CLAIMED, EVENTS, FINISHED, type ForestWorkerReply, type ForestWorkerRequest, NEXT, answeredSlot } from './forest-threads.js';

const { port } = workerData as ForestWorkerData;

function serve(request: ForestWorkerRequest): void {
  const { call, task, worker, workers } = request;
  const shared = new Int32Array(request.shared);
  const signal = (slot: number) => {
    Atomics.add(shared, slot, 1);
    Atomics.add(shared, EVENTS, 1);
    Atomics.notify(shared, EVENTS);
  };
  const indices: number[] = [];
  const trees: GrownTree[] = [];
  let reply: ForestWorkerReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const runner = new ForestTaskRunner(task);
    for (let t = Atomics.add(shared, NEXT, 1); t < task.seeds.length; t = Atomics.add(shared, NEXT, 1)) {
      Atomics.add(shared, CLAIMED + worker, 1);
      const grown = runner.run(t);
      trees.push(grown);
      indices.push(t);
      const { tree, variance } = grown;
      if (tree) transfer.push(...[tree.feature, tree.threshold, tree.left, tree.right, tree.value, tree.weight].map((a) => a.buffer as ArrayBuffer));
      if (variance) transfer.push(variance.mainEffects.buffer as ArrayBuffer);
      signal(FINISHED);
    }
    reply = { call, indices, trees };
  } catch (e) {
    reply = { call, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    transfer.length = 0;
    // The tree that failed counts as finished, so the waiting thread does not wait for it.
    Atomics.add(shared, FINISHED, 1);
  }
  port.postMessage(reply, transfer);
  signal(answeredSlot(workers, worker));
}

port.on('message', serve);
