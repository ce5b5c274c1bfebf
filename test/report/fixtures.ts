// Studies and bench results the report tests render: an IB study (with a hostile name and user
// attribute) and a test-function study whose parameter names and values carry quotes and markup.
import { runBench } from '../../src/apps/bench/bench.js';
import { seedList } from '../../src/apps/bench/experiments.js';
import { Progress } from '../../src/apps/bench/progress.js';
import type { BenchResult } from '../../src/apps/bench/bench.js';
import { CLI_CONFIG_KEY } from '../../src/apps/cli/cli-study.js';
import type { Storage } from '../../src/storage/storage.js';
import { type Study, createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import * as ib from '../../studies/ib/objective.js';
import { ibStudySettings } from '../../studies/ib/study-settings.js';
import { type SearchedWindow, WALK_FORWARD_KEY, evaluateWalkForward, walkForwardWindows } from '../../studies/ib/walk-forward.js';

export const EVIL_NAME = '</script><script>alert(1)</script>';
export const EVIL_ATTR = '"><img src=x onerror=alert(2)>';
export const EVIL_PARAM = `we"ird 'name' <b>`;
export const EVIL_CHOICE = '</script><script>alert(3)</script>';

/** The IB study (in memory, or in `storage`: the dashboard's tests serve it from a file). */
export async function ibStudy(nTrials = 80, storage?: Storage): Promise<Study> {
  ib.setup({ symbol: 'GER40', grid: 'standard' });
  const study = createStudy({ storage, studyName: EVIL_NAME, direction: 'maximize', sampler: new RandomSampler({ seed: 5 }), constraints: ib.constraints });
  study.setSystemAttr(CLI_CONFIG_KEY, { study: 'ib', symbol: 'GER40', grid: 'standard', objective: 'sharpe', minTrades: 10, from: null, to: null });
  await study.optimize(
    (trial) => {
      const v = ib.objective(trial);
      trial.setUserAttr('note', EVIL_ATTR);
      return v;
    },
    { nTrials },
  );
  return study;
}

export async function evilParamStudy(): Promise<Study> {
  const study = createStudy({ studyName: `study "with" <quotes>`, direction: 'minimize', sampler: new RandomSampler({ seed: 2 }) });
  await study.optimize(
    (trial) => {
      const x = trial.suggestFloat(EVIL_PARAM, -3, 3);
      const c = trial.suggestCategorical('kind', ['plain', EVIL_CHOICE]);
      const n = trial.suggestInt('n', 1, 20, { log: true });
      trial.setUserAttr(EVIL_ATTR, EVIL_NAME);
      return x * x + (c === 'plain' ? 0 : 1) + n / 20;
    },
    { nTrials: 60 },
  );
  return study;
}

export async function tinyBench(): Promise<BenchResult> {
  return runBench(
    { spec: { kind: 'function', name: 'hartmann6' }, samplers: ['random', 'tpe', 'cmaes', 'qmc'], budgets: [10, 30], seeds: seedList(2), workers: 1 },
    { progress: new Progress({ quiet: true }) },
  );
}

/** Twelve IB-like parameter names (and a longer one), floats and categorical windows: the parallel-coordinates labels' hard case. */
export const LONG_PARAMS = ['TRADE_WINDOW_MINUTES', 'MAX_DISTANCE_PCT', 'IB_WINDOW', 'REV_RB_ENABLED', 'RR_TARGET', 'IB_BUFFER_PCT', 'TSL_SL', 'IB_WAIT_MINUTES', 'TSL_TARGET', 'STOP_MODE', 'REV_RB_PCT', 'A_VERY_LONG_PARAMETER_NAME_INDEED'];

export async function longNameStudy(): Promise<Study> {
  const study = createStudy({ studyName: 'twelve long names', direction: 'maximize', sampler: new RandomSampler({ seed: 1 }) });
  await study.optimize(
    (trial) =>
      LONG_PARAMS.reduce((s, name, i) => {
        if (i % 3 === 2) return s + (trial.suggestCategorical(name, ['08:00-08:30', '08:00-09:00', '09:00-09:30']) === '08:00-09:00' ? 1 : 0);
        return s + trial.suggestFloat(name, 0, 1000 * (i + 1)) / (1000 * (i + 1));
      }, 0),
    { nTrials: 80 },
  );
  return study;
}

/**
 * A walk-forward's parent study: four rolling windows of the last year of GER40, each searched by
 * a small IB study, their picks traded out of sample (studies/ib/walk-forward.ts).
 */
export async function walkForwardStudy(): Promise<Study> {
  const spec = 'rolling:is=3m,oos=1m';
  const windows = walkForwardWindows(spec, 'GER40', { from: '2024-09-01', to: '2025-06-30' }).slice(0, 4);
  const searched: SearchedWindow[] = [];
  for (const w of windows) {
    const choice = { symbol: 'GER40', grid: 'standard', objective: 'sharpe', from: w.inSample.from, to: w.inSample.to } as const;
    ib.setup({ ...choice, minTrades: 0 });
    const study = createStudy({ studyName: `${EVIL_NAME}-w${w.index + 1}`, direction: 'maximize', sampler: new RandomSampler({ seed: 3 + w.index }) });
    const settings = ibStudySettings(choice);
    study.setSystemAttr(CLI_CONFIG_KEY, settings);
    await study.optimize(ib.objective, { nTrials: 20 });
    const best = study.bestTrial;
    searched.push({ ...w, studyName: study.studyName, settings, bestTrial: best.number, bestParams: best.params, inSampleValue: best.values![0] });
  }
  const parent = createStudy({ studyName: EVIL_NAME, direction: 'maximize' });
  parent.setSystemAttr(WALK_FORWARD_KEY, evaluateWalkForward(spec, 'sharpe', searched));
  return parent;
}
