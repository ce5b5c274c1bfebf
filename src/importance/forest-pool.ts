/**
 * The worker threads that grow forests (forest-threads.ts), started once per process on first use
 * and kept for the next forest: starting a worker and compiling the tree code in it again costs
 * tens of milliseconds and a slow first few trees, on every fit, which a pool pays once. The
 * workers are unref'd (an idle pool never keeps the process alive), and each one talks over its
 * own message channel, which this thread reads without an event loop (`receiveMessageOnPort`).
 *
 * The workers run the built module beside this one (dist/src/importance/forest-worker.js); from
 * the TypeScript sources (tests) there is none, and the pool has no workers to lend.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/** A pooled worker and the port it answers on. */
export interface PooledWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/** What a worker is started with: the port that carries its requests and its answers. */
export interface ForestWorkerData {
  readonly port: MessagePort;
}

let workers: PooledWorker[] = [];
let path: string | null | undefined;

/** The built worker module beside this one, or null (running from the sources). */
function workerPath(): string | null {
  if (path === undefined) {
    const built = fileURLToPath(new URL('./forest-worker.js', import.meta.url));
    path = existsSync(built) ? built : null;
  }
  return path;
}

/** `count` workers of the pool, started now if it has fewer; none when there is no built worker. */
export function borrowWorkers(count: number): PooledWorker[] {
  const file = workerPath();
  if (file === null || count < 1) return [];
  while (workers.length < count) {
    const { port1, port2 } = new MessageChannel();
    const workerData: ForestWorkerData = { port: port2 };
    const worker = new Worker(file, { workerData, transferList: [port2] });
    const pooled = { worker, port: port1 };
    // A worker that dies leaves the pool (its trees are grown elsewhere: forest-threads.ts waits
    // only so long); the listener also keeps its error from crashing the process.
    const drop = () => {
      workers = workers.filter((w) => w !== pooled);
      port1.close();
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    worker.unref();
    port1.unref();
    workers.push(pooled);
  }
  return workers.slice(0, count);
}

/** Ends every pooled worker (one stalled, or a test's clean-up); the next borrow starts fresh ones. */
export function closeForestPool(): void {
  const ending = workers;
  workers = [];
  for (const { worker, port } of ending) {
    port.close();
    void worker.terminate();
  }
}

/** How many workers the pool holds now. */
export function forestPoolSize(): number {
  return workers.length;
}
