/**
 * The bench's piscina worker: runs whole runs (a sampler and a seed), each sequential, so a run's
 * numbers do not depend on how many workers there are. The objective is loaded once per worker
 * and spec. Progress goes back through the task's MessagePort.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RunSpec } from './experiments.js';
import { type BenchObjective, type BenchObjectiveSpec, loadBenchObjective } from './objectives.js';
import { type RunResult, runOne } from './run.js';

export interface BenchTask {
  readonly spec: BenchObjectiveSpec;
  readonly run: RunSpec;
  readonly port?: MessagePort;
}

export interface BenchProgressMessage {
  readonly done: number;
  readonly best: number | null;
}

const loaded = new Map<string, BenchObjective>();

export default function runTask(task: BenchTask): RunResult {
  const key = JSON.stringify(task.spec);
  let objective = loaded.get(key);
  if (!objective) loaded.set(key, (objective = loadBenchObjective(task.spec)));
  try {
    return runOne(task.run, objective, task.port ? (done, best) => task.port!.postMessage({ done, best } satisfies BenchProgressMessage) : undefined);
  } finally {
    task.port?.close();
  }
}
