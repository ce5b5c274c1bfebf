/**
 * Interoperability with real Optuna (Debian's python3-optuna, installed by .ci/install-optuna.sh):
 * on a compact SQLite file, an SQLite file in Optuna's own layout and a PostgreSQL database,
 * Optuna loads every study studyopt wrote (states, values, parameters and their distributions,
 * attributes, intermediate values, best trial, Pareto front), continues one with its own sampler
 * and an enqueued trial, and studyopt reads Optuna's trials and runs the enqueued one, the numbers
 * staying dense. test/helpers/optuna-interop.py is the Optuna side.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TrialPruned } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { distributionJson } from '../../src/storage/sql/encoding.js';
import { createStudy, loadStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';
import { RandomSampler } from '../../samplers/random.js';
import { createDatabase, isCI } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const INTEROP = fileURLToPath(new URL('../helpers/optuna-interop.py', import.meta.url));

/** Why real Optuna cannot run here, or null. With CI set its absence fails the run instead. */
function optunaMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import optuna, psycopg2'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  const reason = `${PYTHON} cannot import optuna and psycopg2 (install them with \`sudo bash .ci/install-optuna.sh\`)`;
  if (isCI()) throw new Error(`CI is set, so the Optuna interoperability test must run, but ${reason}`);
  return reason;
}

function optuna(...args: string[]): string {
  const run = spawnSync(PYTHON, [INTEROP, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`optuna-interop.py ${args[0]} failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

interface TrialJson {
  number: number;
  state: string;
  values: (number | string)[] | null;
  params: Record<string, unknown>;
  distributions: Record<string, unknown>;
  user_attrs: Record<string, unknown>;
  intermediate_values: Record<string, number | string>;
  has_start: boolean;
  has_complete: boolean;
}
interface StudyJson {
  name: string;
  directions: string[];
  user_attrs: Record<string, unknown>;
  trials: TrialJson[];
  best_number?: number;
  pareto_numbers?: number[];
}

const dump = (url: string): StudyJson[] => JSON.parse(optuna('dump', url)) as StudyJson[];

/** A studyopt trial as the Python side prints an Optuna trial (Optuna drops an ordinal's "ordered"). */
function asOptunaSees(t: FrozenTrial): TrialJson {
  const spell = (v: number): number | string => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  const distributions = Object.fromEntries(
    Object.entries(t.distributions).map(([name, d]) => {
      const { name: kind, attributes } = JSON.parse(distributionJson(d)) as { name: string; attributes: unknown };
      return [name, { name: kind, attributes }];
    }),
  );
  return {
    number: t.number,
    state: t.state,
    values: t.values === null ? null : t.values.map(spell),
    params: { ...t.params },
    distributions,
    user_attrs: { ...t.userAttrs },
    intermediate_values: Object.fromEntries([...t.intermediateValues].map(([step, v]) => [String(step), spell(v)])),
    has_start: t.datetimeStart !== null,
    has_complete: t.datetimeComplete !== null,
  };
}

/** The space optuna-interop.py's objective suggests, with a failed and a pruned trial. */
function objective(trial: Trial): number {
  const x = trial.suggestFloat('x', -5, 5);
  const lr = trial.suggestFloat('lr', 1e-4, 1, { log: true });
  const n = trial.suggestInt('n', 1, 9, { step: 2 });
  const kind = trial.suggestCategorical('kind', ['a', 'b', null, 3]);
  if (kind === 'a') trial.suggestFloat('cond', 0, 1, { step: 0.25 });
  trial.setUserAttr('sharpe', x * 2);
  trial.report(x * x, 0);
  if (trial.number === 3) throw new Error('a failed trial');
  if (trial.number === 5) {
    trial.report(Number.POSITIVE_INFINITY, 1);
    throw new TrialPruned();
  }
  return (x - 1) ** 2 + lr + n;
}

async function writeStudies(storage: string): Promise<void> {
  const single = createStudy({ direction: 'minimize', storage, studyName: 'single', sampler: new RandomSampler({ seed: 7 }) });
  single.setUserAttr('symbol', 'GER40');
  await single.optimize(objective, { nTrials: 10, catch: [Error] });
  const pareto = createStudy({ directions: ['minimize', 'maximize'], storage, studyName: 'pareto', sampler: new RandomSampler({ seed: 8 }) });
  await pareto.optimize(
    (trial) => {
      const a = trial.suggestFloat('a', 0, 1);
      const w = trial.suggestOrdinal('w', [40, 60, 90]);
      return [a, a * w];
    },
    { nTrials: 6 },
  );
}

const postgresUrl = inject('postgresUrl');
const missing = optunaMissing();

describe.skipIf(missing !== null)('real Optuna (python3-optuna) and studyopt on one storage', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('studyopt-optuna-')));
  afterAll(() => cleanup?.());

  const storages: [string, () => Promise<string> | string][] = [
    ['SQLite, compact layout', () => `sqlite:///${join(dir, 'compact.db')}`],
    ["SQLite, Optuna's layout", () => `sqlite:///${join(dir, 'optuna.db')}?layout=optuna`],
  ];
  if (postgresUrl !== null) storages.push(['PostgreSQL', () => createDatabase(postgresUrl, 'optuna_interop')]);

  it.each(storages)('%s: Optuna loads what studyopt wrote, continues it, and studyopt reads it back', async (_name, make) => {
    const storage = await make();
    // The Python side opens the file itself: the URL without studyopt's own options.
    const pythonUrl = storage.replace(/\?layout=optuna$/, '');
    await writeStudies(storage);

    const [pareto, single] = dump(pythonUrl);
    const ours = { single: loadStudy({ storage, studyName: 'single' }), pareto: loadStudy({ storage, studyName: 'pareto' }) };
    expect(single.name).toBe('single');
    expect(single.directions).toEqual(['MINIMIZE']);
    expect(single.user_attrs).toEqual({ symbol: 'GER40' });
    expect(single.trials).toEqual(ours.single.trials.map(asOptunaSees));
    expect(single.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'FAIL', 'COMPLETE', 'PRUNED', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(single.trials[5].intermediate_values).toEqual({ '0': expect.any(Number), '1': 'inf' });
    expect(single.best_number).toBe(ours.single.bestTrial.number);
    expect(pareto.directions).toEqual(['MINIMIZE', 'MAXIMIZE']);
    expect(pareto.trials).toEqual(ours.pareto.trials.map(asOptunaSees));
    expect(pareto.pareto_numbers).toEqual(ours.pareto.bestTrials.map((t) => t.number).sort((a, b) => a - b));

    // Optuna's TPE adds four trials and enqueues a fifth; studyopt sees exactly what Optuna sees.
    optuna('continue', pythonUrl, 'single');
    const continued = dump(pythonUrl)[1];
    expect(continued.trials.map((t) => t.number)).toEqual([...Array(15).keys()]);
    expect(continued.trials.slice(10).map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'COMPLETE', 'WAITING']);
    const reloaded = loadStudy({ storage, studyName: 'single', sampler: new RandomSampler({ seed: 9 }) });
    expect(reloaded.trials.map(asOptunaSees)).toEqual(continued.trials);

    // studyopt runs the enqueued trial first with Optuna's fixed parameters, then one of its own.
    await reloaded.optimize(objective, { nTrials: 2 });
    const last = dump(pythonUrl)[1].trials;
    expect(last.map((t) => t.number)).toEqual([...Array(16).keys()]);
    expect(last[14]).toMatchObject({ state: 'COMPLETE', params: { x: 0.5, lr: 0.01, n: 3, kind: 'b' }, user_attrs: { sharpe: 1 } });
    expect(last[15].state).toBe('COMPLETE');
    expect(last).toEqual(loadStudy({ storage, studyName: 'single' }).trials.map(asOptunaSees));
  });
});
