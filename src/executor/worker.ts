/**
 * The pool's worker: piscina runs its default export once per task. A task is a batch of trials
 * of one study; the worker imports the objective module once per prepared objective (and runs its
 * `setup`), then runs the trials one after another, returning their results in one message.
 *
 * Between trials it checks the task's control block: the main thread may ask it to stop (Ctrl-C),
 * and it stops by itself once the batch has run for its time budget (the rest come back unrun and
 * are dispatched again), so a batch never holds finished results for long.
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { describeError } from '../optimize.js';
import { type ObjectiveModule, importModuleInstance } from './objective-module.js';
import { CONTROL, CONTROL_STARTED_AT_BYTE, PHASE, type ModuleContext, type PruneRequest, type Task, type TaskResult, type TrialResult } from './protocol.js';
import { type PruneOracle, WorkerTrial } from './worker-trial.js';

interface Instance {
  module: ObjectiveModule;
  /** Set when import or setup failed: every trial of this context fails with it. */
  error: string | null;
}

const instances = new Map<string, Promise<Instance>>();

async function load(context: ModuleContext): Promise<Instance> {
  try {
    const module = await importModuleInstance(context.url, context.key);
    if (module.setup) await module.setup(context.options, { shared: context.shared, isMainThread: false, threadId });
    return { module, error: null };
  } catch (err) {
    return { module: null as unknown as ObjectiveModule, error: `setup of objective module ${context.url} failed in a worker: ${describeError(err)}` };
  }
}

/** shouldPrune(): post the request, then block on shared memory until the main thread answers. */
class ChannelPruneOracle implements PruneOracle {
  private readonly reply = new SharedArrayBuffer(8);
  private readonly flags = new Int32Array(this.reply);
  constructor(
    private readonly channel: BroadcastChannel,
    private readonly runId: string,
  ) {}

  shouldPrune(trialNumber: number, intermediate: readonly (readonly [number, number])[]): boolean {
    Atomics.store(this.flags, 0, 0);
    const request: PruneRequest = { runId: this.runId, trialNumber, intermediate, reply: this.reply };
    this.channel.postMessage(request);
    // The main thread's event loop is free (it only dispatches and records), so the answer comes
    // within microseconds; the limit only guards against a main thread that has gone away.
    if (Atomics.wait(this.flags, 0, 0, 60_000) === 'timed-out') return false;
    return Atomics.load(this.flags, 1) === 1;
  }
}

const channels = new Map<string, BroadcastChannel>();

function oracleFor(task: Task): PruneOracle | null {
  if (task.pruneChannel === null) return null;
  let channel = channels.get(task.pruneChannel);
  if (!channel) {
    channel = new BroadcastChannel(task.pruneChannel);
    channel.unref();
    channels.set(task.pruneChannel, channel);
  }
  return new ChannelPruneOracle(channel, task.runId);
}

function notNumber(x: unknown): string {
  return `the objective returned ${typeof x === 'string' ? JSON.stringify(x) : typeof x}, which is not a number`;
}

interface AttrTable {
  keys: string[];
  index: Map<string, number>;
}

function runTrial(module: ObjectiveModule, trial: WorkerTrial, table: AttrTable): TrialResult | Promise<TrialResult> {
  const started = performance.now();
  const finish = (out: unknown): TrialResult => {
    let values: unknown[] | null;
    let failReason: string | undefined;
    if (out === undefined || out === null) values = null;
    else if (typeof out === 'number') values = [out];
    else if (Array.isArray(out)) values = [...out];
    else {
      values = null;
      failReason = notNumber(out);
    }
    return {
      number: trial.number,
      state: failReason === undefined ? 'COMPLETE' : 'FAIL',
      values,
      ...(failReason !== undefined ? { failReason } : {}),
      used: trial.used,
      attrs: trial.packAttrs(table.keys, table.index),
      intermediate: trial.intermediate.length ? trial.intermediate : undefined,
      ms: performance.now() - started,
    };
  };
  const fail = (err: unknown): TrialResult => {
    // By name: a TypeScript module may carry its own copy of the library's TrialPruned class.
    const pruned = err instanceof Error && err.name === 'TrialPruned';
    return {
      number: trial.number,
      state: pruned ? 'PRUNED' : 'FAIL',
      values: null,
      ...(pruned ? {} : { failReason: describeError(err), errorName: err instanceof Error ? err.name : typeof err }),
      used: trial.used,
      attrs: trial.packAttrs(table.keys, table.index),
      intermediate: trial.intermediate.length ? trial.intermediate : undefined,
      ms: performance.now() - started,
    };
  };
  try {
    const out = module.objective(trial);
    if (out !== null && typeof out === 'object' && typeof (out as PromiseLike<unknown>).then === 'function') {
      return (out as Promise<unknown>).then(finish, fail);
    }
    return finish(out);
  } catch (err) {
    return fail(err);
  }
}

/**
 * Piscina hands each worker up to two tasks (the next one waits here while this one runs): they
 * run strictly one after another, so a task's control block says "queued" until it really starts.
 */
let previous: Promise<unknown> = Promise.resolve();

export default function runTask(task: Task): Promise<TaskResult> {
  const result = previous.then(() => runNow(task));
  previous = result.catch(() => undefined);
  return result;
}

async function runNow(task: Task): Promise<TaskResult> {
  const control = new Int32Array(task.control, 0, 4);
  Atomics.store(control, CONTROL.thread, threadId);
  Atomics.store(control, CONTROL.phase, PHASE.setup);
  const setupStart = performance.now();
  let pending = instances.get(task.context.key);
  if (!pending) {
    pending = load(task.context);
    instances.set(task.context.key, pending);
  }
  const instance = await pending;
  const setupMs = performance.now() - setupStart;
  Atomics.store(control, CONTROL.phase, PHASE.running);
  const startedAt = new Float64Array(task.control, CONTROL_STARTED_AT_BYTE, 1);
  const results: TrialResult[] = [];
  const began = performance.now();
  if (instance.error !== null) {
    for (const t of task.trials) results.push({ number: t.number, state: 'FAIL', values: null, failReason: instance.error, errorName: 'SetupError', used: [], ms: 0 });
    return { attrKeys: [], results, busyMs: 0, setupMs };
  }
  const nameIndex = new Map<string, number>();
  for (let i = 0; i < task.names.length; i++) nameIndex.set(task.names[i], i);
  const oracle = oracleFor(task);
  const table: AttrTable = { keys: [], index: new Map() };
  for (let i = 0; i < task.trials.length; i++) {
    if (Atomics.load(control, CONTROL.stop) !== 0) break;
    if (i > 0 && performance.now() - began > task.budgetMs) break;
    startedAt[0] = Date.now();
    Atomics.store(control, CONTROL.current, i);
    const trial = new WorkerTrial(task, task.trials[i], nameIndex, oracle);
    const r = runTrial(instance.module, trial, table);
    results.push(r instanceof Promise ? await r : r);
  }
  return { attrKeys: table.keys, results, busyMs: performance.now() - began, setupMs };
}
