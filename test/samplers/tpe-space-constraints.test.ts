/**
 * TPE on a constrained declared space (samplers/tpe/valid-proposal.ts): the model chooses a valid
 * point on the first draw (the study seldom redraws and never falls back to uniform draws after
 * start-up), the best values are at least those TPE reached before it knew the constraints, the
 * proposal rule step by step on a scripted candidate source, enqueued values kept, and TPE without
 * constraints unchanged bit for bit.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Distribution, type ParamValue, type SearchSpace, categoricalDistribution, floatDistribution, intDistribution } from '../../src/distributions.js';
import type { DeclaredSpace } from '../../src/search-space.js';
import { REDRAW_KEY, buildPoint, declareSpace, satisfiesSpace } from '../../src/space-constraints.js';
import { createStudy } from '../../src/study.js';
import { type Trial, suggestFrom } from '../../src/trial.js';
import { TPESampler, type TPESamplerOptions } from '../../samplers/tpe/index.js';
import { CANDIDATE_GROWTH, type CandidateSource, ROUNDS, type ScoredCandidates, proposeValidPoint } from '../../samplers/tpe/valid-proposal.js';
import { ibSpace } from '../../studies/ib/objective.js';
import { GRID_VALUES } from '../../studies/ib/grids.js';
import { BUILTIN_SYMBOLS } from '../../studies/ib/symbols.js';

type Point = Readonly<Record<string, ParamValue>>;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** x, y in [0, 1], kind in {a, b}, z in 0..10 when kind = b; x <= y and z <= 4: about half the box invalid. */
const halfBoxPlain: DeclaredSpace = {
  x: floatDistribution(0, 1),
  y: floatDistribution(0, 1),
  kind: categoricalDistribution(['a', 'b']),
  z: { distribution: intDistribution(0, 10), when: (p) => p.kind === 'b' },
};
const halfBox = declareSpace(halfBoxPlain).constrain(
  (p) => (p.x as number) <= (p.y as number),
  (p) => p.z === undefined || (p.z as number) <= 4,
);
const halfBoxScore = (p: Point): number => ((p.x as number) - 0.3) ** 2 + ((p.y as number) - 0.4) ** 2 + 0.01 * ((p.z as number | undefined) ?? 0);

/** x <= y where the free optimum (0.6, 0.5) is invalid: the optimum, 0.005, lies on x = y = 0.55. */
const boundary = declareSpace({ x: floatDistribution(0, 1), y: floatDistribution(0, 1) }).constrain((p) => (p.x as number) <= (p.y as number));
const boundaryScore = (p: Point): number => ((p.x as number) - 0.6) ** 2 + ((p.y as number) - 0.5) ** 2;

/** The IB study's space (TSL_SL <= TSL_TARGET, two conditional parameters) with a synthetic score whose optimum has TSL_SL = TSL_TARGET. */
const offBy = (values: readonly ParamValue[], value: ParamValue, best: ParamValue): number => ((values.indexOf(value) - values.indexOf(best)) / (values.length - 1)) ** 2;
function ibCase(grid: 'standard' | 'expanded'): { space: DeclaredSpace; score: (p: Point) => number } {
  const g = GRID_VALUES[grid];
  return {
    space: ibSpace(BUILTIN_SYMBOLS.GER40.ibWindows, g),
    score: (p) =>
      (p.IB_WINDOW === '08:00-09:00' ? 0 : 0.1) +
      offBy(g.IB_WAIT_MINUTES, p.IB_WAIT_MINUTES, g.IB_WAIT_MINUTES.at(-1)!) +
      offBy(g.TRADE_WINDOW_MINUTES, p.TRADE_WINDOW_MINUTES, 90) +
      offBy(g.RR_TARGET, p.RR_TARGET, 1.5) +
      (p.STOP_MODE === 'eq' ? 0 : 0.1) +
      offBy(g.TSL_TARGET, p.TSL_TARGET, 1) +
      (p.TSL_SL === undefined ? 0.5 : ((p.TSL_SL as number) - 1.25) ** 2) +
      (p.REV_RB_ENABLED === false ? 0 : 0.05) +
      offBy(g.IB_BUFFER_PCT, p.IB_BUFFER_PCT, 0.1) +
      offBy(g.MAX_DISTANCE_PCT, p.MAX_DISTANCE_PCT, 0.75),
  };
}

/** An objective that suggests the declared space's parameters in order and scores the point. */
const objectiveOf =
  (space: DeclaredSpace, score: (p: Point) => number) =>
  (t: Trial): number =>
    score(buildPoint(space, (name: string, d: Distribution) => suggestFrom(t, name, d)));

async function runStudy(options: TPESamplerOptions, space: DeclaredSpace, score: (p: Point) => number, nTrials: number) {
  const study = createStudy({ sampler: new TPESampler(options), space });
  await study.optimize(objectiveOf(space, score), { nTrials });
  return study;
}

const MODES: [string, TPESamplerOptions][] = [
  ['independent', {}],
  ['multivariate', { multivariate: true }],
  ['multivariate group', { multivariate: true, group: true }],
];

describe('TPE on a constrained space', () => {
  it('proposes a valid point on its first draw in at least 95% of the trials after start-up', async () => {
    // Before this sampler knew the constraints, 73-94% of its trials were redrawn on these spaces
    // and 38-79% ended as uniform draws (scripts/bench-space-constraints.ts).
    const cases: [string, DeclaredSpace, (p: Point) => number][] = [
      ['half box', halfBox, halfBoxScore],
      ['boundary', boundary, boundaryScore],
      ['IB', ibCase('expanded').space, ibCase('expanded').score],
    ];
    for (const [caseName, space, score] of cases) {
      for (const [mode, options] of MODES) {
        const study = await runStudy({ seed: 3, ...options }, space, score, 60);
        const afterStartup = study.trials.filter((t) => t.number >= 10);
        const firstDraw = afterStartup.filter((t) => ((t.systemAttrs[REDRAW_KEY] as number | undefined) ?? 0) === 0).length;
        expect(firstDraw / afterStartup.length, `${caseName}, ${mode}`).toBeGreaterThanOrEqual(0.95);
        for (const t of study.trials) expect(satisfiesSpace(space, t.params), `${caseName}, ${mode}: ${JSON.stringify(t.params)}`).toBe(true);
      }
    }
  });

  it('reaches at least the best values it reached before it knew the constraints (median over seeds 1-10, 60 trials)', async () => {
    // BEFORE: the medians of the sampler before valid-proposal.ts (commit 5d388a1, which redrew
    // invalid proposals and then drew uniformly), measured by this same setup; now 0.00591,
    // 0.00576, 0.225 and 0.125.
    const BEFORE: Record<string, number> = {
      'boundary independent': 0.006191512718324199,
      'boundary multivariate': 0.006718325179470913,
      'IB independent': 0.5125,
      'IB multivariate': 0.125,
    };
    const ib = ibCase('standard');
    const cases: [string, DeclaredSpace, (p: Point) => number][] = [
      ['boundary', boundary, boundaryScore],
      ['IB', ib.space, ib.score],
    ];
    for (const [caseName, space, score] of cases) {
      for (const [mode, options] of MODES.slice(0, 2)) {
        const bests: number[] = [];
        for (let seed = 1; seed <= 10; seed++) bests.push((await runStudy({ seed, ...options }, space, score, 60)).bestValue);
        expect(median(bests), `${caseName} ${mode}`).toBeLessThanOrEqual(BEFORE[`${caseName} ${mode}`]);
      }
    }
  });

  it('keeps an enqueued value and completes the point under the constraints', async () => {
    const study = await runStudy({ seed: 5 }, boundary, boundaryScore, 20);
    study.enqueueTrial({ y: 0.2 });
    await study.optimize(objectiveOf(boundary, boundaryScore), { nTrials: 1 });
    const last = study.trials.at(-1)!;
    expect(last.params.y).toBe(0.2);
    expect(last.params.x as number).toBeLessThanOrEqual(0.2);
    expect(last.systemAttrs[REDRAW_KEY]).toBeUndefined();
  });
});

describe('the valid proposal rule (valid-proposal.ts)', () => {
  const box: DeclaredSpace = { x: floatDistribution(0, 1), y: floatDistribution(0, 1) };

  /** A scripted source: parameter name -> (its candidate values, their scores) for a count; records the counts asked. */
  function scripted(script: Record<string, (count: number) => ScoredCandidates>): CandidateSource & { asked: number[] } {
    const asked: number[] = [];
    return {
      asked,
      independent: (name, _d, count) => {
        asked.push(count);
        return script[name](count);
      },
      joint: (space: SearchSpace, count) => {
        asked.push(count);
        const parts = Object.keys(space).map((n) => script[n](count));
        return { values: parts.map((p) => p.values[0]), scores: Float64Array.from({ length: count }, (_, c) => parts.reduce((s, p) => s + p.scores[c], 0)) };
      },
    };
  }
  const fixed = (values: number[], scores: number[]) => (count: number): ScoredCandidates => ({
    values: [Array.from({ length: count }, (_, c) => values[c % values.length])],
    scores: Float64Array.from({ length: count }, (_, c) => scores[c % scores.length]),
  });
  const input = (space: DeclaredSpace, source: CandidateSource, jointSpaces: SearchSpace[] = []) => ({
    space,
    isDecided: () => false,
    decidedValue: () => undefined,
    jointSpaces,
    source,
    nCandidates: 4,
  });

  it("takes TPE's usual choice (each parameter's best candidate) when it is valid", () => {
    const space = declareSpace(box).constrain((p) => (p.x as number) <= (p.y as number));
    const source = scripted({ x: fixed([0.1, 0.2, 0.3, 0.4], [0, 5, 1, 2]), y: fixed([0.5, 0.6, 0.7, 0.8], [3, 0, 0, 9]) });
    expect(proposeValidPoint(input(space, source))).toEqual({ point: { x: 0.2, y: 0.8 }, valid: true });
  });

  it('otherwise takes the best valid complete candidate by the summed score', () => {
    // Usual choice (0.9, 0.1) is invalid; candidates c: (0.9, 0.1) 14, (0.2, 0.5) 3, (0.3, 0.4) 4, (0.6, 0.5) 10.
    const space = declareSpace(box).constrain((p) => (p.x as number) <= (p.y as number));
    const source = scripted({ x: fixed([0.9, 0.2, 0.3, 0.6], [9, 1, 1, 8]), y: fixed([0.1, 0.5, 0.4, 0.5], [5, 2, 3, 2]) });
    expect(proposeValidPoint(input(space, source))).toEqual({ point: { x: 0.3, y: 0.4 }, valid: true });
    expect(source.asked).toEqual([4, 4]);
  });

  it('scores joint groups as a whole and leaves out parameters whose condition is off', () => {
    const space = declareSpace({ x: floatDistribution(0, 1), y: floatDistribution(0, 1), z: { distribution: floatDistribution(0, 1), when: (p: Point) => (p.x as number) > 0.5 } }).constrain(
      (p) => (p.x as number) <= (p.y as number),
      (p) => p.z === undefined || (p.z as number) < 0.5,
    );
    const source = scripted({ x: fixed([0.9, 0.7, 0.4, 0.1], [9, 5, 0, 0]), y: fixed([0.1, 0.8, 0.6, 0.2], [9, 5, 0, 0]), z: fixed([0.9, 0.8, 0.1, 0.2], [9, 0, 0, 0]) });
    // Candidate 1 ((0.7, 0.8), z 0.8) breaks z < 0.5; candidate 2 ((0.4, 0.6), z inactive) is the best valid.
    expect(proposeValidPoint(input(space, source, [{ x: box.x as Distribution, y: box.y as Distribution }]))).toEqual({ point: { x: 0.4, y: 0.6 }, valid: true });
  });

  it(`draws ${ROUNDS} rounds of more candidates, then hands over the best invalid point`, () => {
    const space = declareSpace(box).constrain((p) => (p.x as number) <= (p.y as number) - 2);
    const source = scripted({ x: fixed([0.5, 0.6], [1, 3]), y: fixed([0.2, 0.1], [1, 0]) });
    const proposal = proposeValidPoint(input(space, source));
    expect(proposal).toEqual({ point: { x: 0.6, y: 0.1 }, valid: false });
    expect(source.asked).toEqual(Array.from({ length: ROUNDS }, (_, r) => [4 * CANDIDATE_GROWTH ** r, 4 * CANDIDATE_GROWTH ** r]).flat());
  });

  it('keeps decided values', () => {
    const space = declareSpace(box).constrain((p) => (p.x as number) <= (p.y as number));
    const source = scripted({ x: fixed([0.9, 0.3, 0.1, 0.2], [9, 3, 1, 0]), y: fixed([0.95], [0]) });
    const proposal = proposeValidPoint({ ...input(space, source), isDecided: (n: string) => n === 'y', decidedValue: () => 0.25 });
    expect(proposal).toEqual({ point: { x: 0.1, y: 0.25 }, valid: true });
  });
});

describe('TPE without constraints', () => {
  /** The mixed space of tpe.test.ts with a conditional parameter. */
  const mixed = (t: Trial): number => {
    const x = t.suggestFloat('x', -3, 3);
    const lr = t.suggestFloat('lr', 1e-4, 1, { log: true });
    const n = t.suggestInt('n', 0, 10, { step: 2 });
    const kind = t.suggestCategorical('kind', ['a', 'b', 'c']);
    const w = t.suggestOrdinal('w', [40, 60, 90, 120]);
    const z = kind === 'c' ? t.suggestFloat('z', 0, 1) : 0.5;
    return x * x + Math.log10(lr) ** 2 + n / 10 + (kind === 'b' ? 0 : 1) + Math.abs(w - 90) / 30 + (z - 0.2) ** 2;
  };

  it('proposes bit for bit what it proposed before constraints were handled (seed 7, 60 trials)', async () => {
    // Digests of the parameters and values of the sampler before valid-proposal.ts (commit
    // 5d388a1). A change to the shared TPE code (split.ts, the estimators) that moves them is a
    // behaviour change of unconstrained TPE and needs a deliberate update here.
    // Since TPE became multivariate by default on one objective, `{}` proposes what
    // `{ multivariate: true }` did and Optuna's independent TPE is `{ multivariate: false }`.
    const BEFORE: [TPESamplerOptions, string][] = [
      [{ multivariate: false }, '8d5d3ca183d3bf4f'],
      [{}, '57486c419d7591fb'],
      [{ multivariate: true }, '57486c419d7591fb'],
      [{ multivariate: true, group: true }, '57486c419d7591fb'],
    ];
    for (const [options, digest] of BEFORE) {
      const study = createStudy({ sampler: new TPESampler({ seed: 7, ...options }) });
      await study.optimize(mixed, { nTrials: 60 });
      const hash = createHash('sha256').update(JSON.stringify(study.trials.map((t) => [t.params, t.values]))).digest('hex').slice(0, 16);
      expect(hash, JSON.stringify(options)).toBe(digest);
    }
  });

  it('proposes the same points on a declared space without constraints as with none', async () => {
    const a = await runStudy({ seed: 11 }, halfBoxPlain, halfBoxScore, 40);
    const b = createStudy({ sampler: new TPESampler({ seed: 11 }) });
    await b.optimize(objectiveOf(halfBoxPlain, halfBoxScore), { nTrials: 40 });
    expect(a.trials.map((t) => t.params)).toEqual(b.trials.map((t) => t.params));
  });
});
