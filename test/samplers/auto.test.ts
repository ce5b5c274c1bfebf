/**
 * The automatic sampler: the documented choice for a given space, budget, objectives, constraints
 * and parallelism (rules.ts); the switch as the study grows; the choice recorded in each trial;
 * resume on SQLite choosing (and proposing) as an uninterrupted study; decided trials fitting no
 * model; the default sampler of createStudy and the CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUTO_SAMPLER_KEY,
  AutoSampler,
  GP_MAX_PARAMS,
  GP_MULTI_OBJECTIVE_TRIALS,
  GP_TRIALS,
  type StudyProfile,
  chooseSampler,
} from '../../samplers/auto/index.js';
import { GPSampler } from '../../samplers/gp/sampler.js';
import { TPESampler } from '../../samplers/tpe/sampler.js';
import { createSampler, samplerEntry } from '../../samplers/index.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { RUN_TARGET_KEY } from '../../src/apps/cli/run-target.js';
import { defaultSampler } from '../../src/sampler.js';
import { declareSpace } from '../../src/space-constraints.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { type Study, createStudy, loadStudy } from '../../src/study.js';
import type { Trial } from '../../src/trial.js';

/** A numeric 6-D profile with nothing special: the GP's case. */
const numeric: StudyProfile = {
  objectives: 1,
  finished: 20,
  params: 6,
  shared: 6,
  categorical: 0,
  constraintsFunction: false,
  spaceConstraints: false,
  running: 0,
};

describe('auto: the documented choice (rules.ts)', () => {
  it('numeric space: GP for the first GP_TRIALS finished trials, then multivariate TPE', () => {
    expect(chooseSampler({ ...numeric, finished: 0 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, finished: GP_TRIALS - 1 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, finished: GP_TRIALS }).choice).toBe('tpe-multivariate');
    expect(chooseSampler({ ...numeric, finished: 5000 }).choice).toBe('tpe-multivariate');
  });

  it('mostly categorical space: multivariate TPE; a categorical among numbers stays with the GP', () => {
    expect(chooseSampler({ ...numeric, categorical: 4 }).choice).toBe('tpe-multivariate');
    expect(chooseSampler({ ...numeric, categorical: 1 }).choice).toBe('gp');
  });

  it('conditional space: TPE with groups; a few conditional parameters (as IB: 9 of 11 shared) stay with the GP', () => {
    expect(chooseSampler({ ...numeric, params: 12, shared: 1, categorical: 1 }).choice).toBe('tpe-group');
    expect(chooseSampler({ ...numeric, params: 11, shared: 9, categorical: 3 }).choice).toBe('gp');
    // After the GP's trials, a partly conditional space goes to TPE with groups.
    expect(chooseSampler({ ...numeric, params: 11, shared: 9, categorical: 3, finished: GP_TRIALS }).choice).toBe('tpe-group');
  });

  it('many parameters: multivariate TPE', () => {
    expect(chooseSampler({ ...numeric, params: GP_MAX_PARAMS, shared: GP_MAX_PARAMS }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, params: GP_MAX_PARAMS + 1, shared: GP_MAX_PARAMS + 1 }).choice).toBe('tpe-multivariate');
  });

  it('several objectives: GP (log EHVI) up to 100 finished trials and 3 objectives, then MO-TPE', () => {
    expect(chooseSampler({ ...numeric, objectives: 2, finished: GP_MULTI_OBJECTIVE_TRIALS - 1 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, objectives: 2, finished: GP_MULTI_OBJECTIVE_TRIALS }).choice).toBe('tpe');
    expect(chooseSampler({ ...numeric, objectives: 3, finished: 0 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, objectives: 4, finished: 0 }).choice).toBe('tpe');
    expect(chooseSampler({ ...numeric, objectives: 2, params: 12, shared: 1 }).choice).toBe('tpe');
  });

  it('constraints: a constraints function changes nothing, constraints on the declared space go to TPE', () => {
    expect(chooseSampler({ ...numeric, constraintsFunction: true }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, spaceConstraints: true }).choice).toBe('tpe-multivariate');
  });

  it('trials in parallel: the same choice (the GP with kriging believers, TPE with constant liar)', () => {
    expect(chooseSampler({ ...numeric, running: 3 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, running: 3, objectives: 2 }).choice).toBe('gp');
    expect(chooseSampler({ ...numeric, running: 3, finished: GP_TRIALS }).choice).toBe('tpe-multivariate');
    expect(chooseSampler({ ...numeric, running: 3, params: 12, shared: 1 }).choice).toBe('tpe-group');
  });
});

const sphere = (trial: Trial): number => {
  const x = trial.suggestFloat('x', -5, 5);
  const y = trial.suggestFloat('y', -5, 5);
  return x * x + y * y;
};

function run(study: Study, n: number, objective: (t: Trial) => number = sphere): void {
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    study.tell(t, objective(t));
  }
}

const choices = (study: Study): unknown[] => study.trials.map((t) => t.systemAttrs[AUTO_SAMPLER_KEY]);

describe('auto on a study', () => {
  it('records the sampler of every trial and proposes what that sampler would (GP with the same seed)', () => {
    const auto = createStudy({ sampler: new AutoSampler({ seed: 7 }) });
    const gp = createStudy({ sampler: new GPSampler({ seed: 7 }) });
    run(auto, 13);
    run(gp, 13);
    expect(choices(auto)).toEqual(Array(13).fill('gp'));
    expect(auto.trials.map((t) => t.params)).toEqual(gp.trials.map((t) => t.params));
  });

  it('a known budget (studyopt optimize --trials records it) does not change the choice', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 1 }) });
    const sampler = study.sampler as AutoSampler;
    study.setSystemAttr(RUN_TARGET_KEY, { finished: 300, searchSize: null });
    for (let i = 0; i < GP_TRIALS; i++) study.enqueueTrial({ x: 1, y: 1 });
    run(study, GP_TRIALS + 1);
    expect(sampler.lastDecision?.choice).toBe('tpe-multivariate');
    expect(choices(study).slice(0, GP_TRIALS)).toEqual(Array(GP_TRIALS).fill('gp'));
  });

  it('switches from the GP to multivariate TPE as the study grows, and enqueued trials fit no model', () => {
    const spy = vi.spyOn(GPSampler.prototype, 'sampleRelative');
    const tpeSpy = vi.spyOn(TPESampler.prototype, 'sampleRelative');
    try {
      const study = createStudy({ sampler: new AutoSampler({ seed: 3 }) });
      for (let i = 0; i < GP_TRIALS; i++) study.enqueueTrial({ x: (i % 10) - 5, y: Math.floor(i / 10) - 5 });
      run(study, GP_TRIALS);
      expect(spy).not.toHaveBeenCalled();
      expect(choices(study)).toEqual(Array(GP_TRIALS).fill('gp'));
      run(study, 3);
      expect(choices(study).slice(GP_TRIALS)).toEqual(['tpe-multivariate', 'tpe-multivariate', 'tpe-multivariate']);
      expect(spy).not.toHaveBeenCalled();
      // The TPE trials come from its joint model over x and y (past its start-up trials).
      expect(tpeSpy).toHaveBeenCalledTimes(3);
      for (const r of tpeSpy.mock.results) expect(Object.keys(r.value as object).sort()).toEqual(['x', 'y']);
    } finally {
      spy.mockRestore();
      tpeSpy.mockRestore();
    }
  });

  it('conditional parameters (define-by-run) go to TPE with groups', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 2 }) });
    const objective = (t: Trial): number => {
      const kind = t.suggestCategorical('kind', ['a', 'b']);
      if (kind === 'a') return (t.suggestFloat('a1', 0, 1) - 0.5) ** 2 + t.suggestFloat('a2', 0, 1);
      return 1 + t.suggestFloat('b1', 0, 1) + t.suggestFloat('b2', 0, 1) + t.suggestFloat('b3', 0, 1);
    };
    run(study, 12, objective);
    expect(choices(study).at(-1)).toBe('tpe-group');
  });

  it('a declared space with constraints goes to TPE, and its points satisfy them', () => {
    const space = declareSpace({ x: { type: 'float', low: 0, high: 1, log: false, step: null }, y: { type: 'float', low: 0, high: 1, log: false, step: null } }).constrain(
      (p) => p.x + p.y <= 1,
    );
    const study = createStudy({ sampler: new AutoSampler({ seed: 4 }), space });
    run(study, 14, (t) => -(t.suggestFloat('x', 0, 1) + 2 * t.suggestFloat('y', 0, 1)));
    expect(new Set(choices(study))).toEqual(new Set(['tpe-multivariate']));
    for (const t of study.trials) expect((t.params.x as number) + (t.params.y as number)).toBeLessThanOrEqual(1);
  });

  it('several objectives: the GP first', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 5 }), directions: ['minimize', 'minimize'] });
    for (let i = 0; i < 11; i++) {
      const t = study.ask();
      const x = t.suggestFloat('x', 0, 1);
      const y = t.suggestFloat('y', 0, 1);
      study.tell(t, [x, 1 - x + y]);
    }
    expect(new Set(choices(study))).toEqual(new Set(['gp']));
  });

  it('several objectives: MO-TPE once the GP has had its trials', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 5 }), directions: ['minimize', 'minimize'] });
    for (let i = 0; i < GP_MULTI_OBJECTIVE_TRIALS; i++) study.enqueueTrial({ x: (i % 10) / 10, y: Math.floor(i / 10) / 10 });
    for (let i = 0; i < GP_MULTI_OBJECTIVE_TRIALS + 2; i++) {
      const t = study.ask();
      const x = t.suggestFloat('x', 0, 1);
      const y = t.suggestFloat('y', 0, 1);
      study.tell(t, [x, 1 - x + y]);
    }
    expect(choices(study).slice(GP_MULTI_OBJECTIVE_TRIALS)).toEqual(['tpe', 'tpe']);
  });

  it('trials in flight together: the GP proposes them apart (kriging believers), and each keeps its sampler', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 6 }) });
    run(study, 10);
    // Asked and suggested one after another, as a worker pool does: each sees the others running.
    const batch: Trial[] = [];
    const points: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const t = study.ask();
      batch.push(t);
      points.push([t.suggestFloat('x', -5, 5), t.suggestFloat('y', -5, 5)]);
    }
    expect(study.trials.map((t) => t.systemAttrs[AUTO_SAMPLER_KEY]).slice(10)).toEqual(['gp', 'gp', 'gp']);
    for (let i = 0; i < points.length; i++) for (let j = i + 1; j < points.length; j++) expect(Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1])).toBeGreaterThan(1e-3);
    batch.forEach((t, i) => study.tell(t, points[i][0] ** 2 + points[i][1] ** 2));
  });

  it('resumes on SQLite with the same choices and proposals as one uninterrupted study', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auto-'));
    try {
      const reference = createStudy({ sampler: new AutoSampler({ seed: 11 }) });
      run(reference, 14);
      const file = join(dir, 'auto.db');
      const first = new SqliteStorage(file);
      run(createStudy({ storage: first, studyName: 'a', sampler: new AutoSampler({ seed: 11 }) }), 8);
      first.close();
      const second = new SqliteStorage(file);
      const resumed = loadStudy({ storage: second, studyName: 'a', sampler: new AutoSampler({ seed: 11 }) });
      run(resumed, 6);
      expect(choices(resumed)).toEqual(choices(reference));
      expect(resumed.trials.map((t) => t.params)).toEqual(reference.trials.map((t) => t.params));
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a trial keeps its recorded sampler whatever the rules would say now', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 8 }) });
    for (let i = 0; i < GP_TRIALS - 1; i++) study.enqueueTrial({ x: (i % 10) - 5, y: Math.floor(i / 10) - 5 });
    run(study, GP_TRIALS - 1);
    const t = study.ask();
    expect(study.storage.getTrial(t.trialId).systemAttrs[AUTO_SAMPLER_KEY]).toBe('gp');
    // The GP's trials are done while it runs: new trials go to TPE, this one stays the GP's.
    run(study, 2);
    expect(study.trials.at(-1)!.systemAttrs[AUTO_SAMPLER_KEY]).toBe('tpe-multivariate');
    const gpSpy = vi.spyOn(GPSampler.prototype, 'sampleIndependent');
    t.suggestFloat('late', 0, 1);
    expect(gpSpy).toHaveBeenCalledTimes(1);
    gpSpy.mockRestore();
    study.tell(t, 1);
    const frozen: FrozenTrial = study.storage.getTrial(t.trialId);
    expect(frozen.systemAttrs[AUTO_SAMPLER_KEY]).toBe('gp');
  });
});

describe('auto as the default and in the registry', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is the default sampler of createStudy and the CLI', () => {
    expect(defaultSampler().name).toBe('auto');
    expect(createStudy().sampler).toBeInstanceOf(AutoSampler);
  });

  it('is what studyopt optimize runs without --sampler, recording its choice in each trial (built CLI)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auto-cli-'));
    try {
      const db = join(dir, 'cli.db');
      const bin = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
      const objective = fileURLToPath(new URL('../fixtures/executor/quadratic.mjs', import.meta.url));
      const run = spawnSync(process.execPath, [bin, 'optimize', '--objective', objective, '--trials', '12', '--storage', db, '--workers', '1', '--json'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ sampler: 'auto', completed: 12 });
      const storage = new SqliteStorage(db);
      const study = loadStudy({ storage, studyName: 'quadratic-auto' });
      expect(choices(study)).toEqual(Array(12).fill('gp'));
      storage.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is registered with its options; an unknown option is a UsageError naming them', () => {
    expect(Object.keys(samplerEntry('auto').options)).toEqual(['seed']);
    expect(createSampler('auto', { seed: 1 })).toBeInstanceOf(AutoSampler);
    expect(() => createSampler('auto', { budget: 50 })).toThrow(UsageError);
    expect(() => createSampler('auto', { budget: 50 })).toThrow(/sampler 'auto' has no option 'budget'; its options are: seed/);
  });
});
