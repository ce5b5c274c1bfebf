/**
 * Gaussian-process Bayesian optimisation, as Optuna 4's `GPSampler`: after `nStartupTrials`
 * random trials, fit a GP (Matérn-5/2 ARD, see gp.ts) to the trials so far, in the unit box of
 * the shared search space (SearchSpaceTransform; categorical parameters as an index column with a
 * Hamming kernel) with standardised, Yeo-Johnson warped objective values (output-warping.ts), and
 * propose the point of largest log expected improvement (acquisition.ts).
 *
 * - int, stepped, log-int, ordinal and categorical parameters are discrete columns: the
 *   acquisition search moves them only between their grid values (search-columns.ts, and the
 *   local search of acquisition.ts), so the GP only ever sees and proposes valid values and no
 *   proposal loses its acquisition value to rounding;
 * - infeasible trials (constraints) are modelled as bad: their value is replaced by the worst
 *   value seen, and they are never the incumbent of expected improvement;
 * - trials still RUNNING (a worker pool) enter as "kriging believer" observations, at the GP's
 *   own prediction: the prediction does not move, but the uncertainty there collapses, so the
 *   next proposal goes elsewhere;
 * - several objectives: one GP per objective (each score standardised, directions flipped so that
 *   all are maximised; infeasible trials no better than the worst feasible score in each), and
 *   the point of largest log expected hypervolume improvement over the feasible trials' Pareto
 *   front (ehvi.ts, box-decomposition.ts), found by the same search, as Optuna 4's LogEHVI;
 * - parameters outside the shared space are sampled uniformly;
 * - many trials (docs/bench-gp-speed.md): past 100 the hyper-parameters are refitted once the
 *   trials have grown by 5% and the GP grows by the new trials in between (model-cache.ts,
 *   `refitSchedule`); past 400 the acquisition search scores exactly only the most promising
 *   candidates and searches locally on local GPs (`acquisitionSearch`). Up to 100 trials
 *   nothing changes: the same proposals, bit for bit, as refitting and searching in full.
 */
import { type Distribution, type ParamValue, type SearchSpace, isSingle } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial, StudyDirection } from '../../src/frozen-trial.js';
import { isFeasible } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { redrawOf } from '../../src/space-constraints.js';
import type { Sampler } from '../../src/sampler.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import { dominates } from '../../src/pareto.js';
import type { Study } from '../../src/study.js';
import { SearchSpaceTransform } from '../../src/transform.js';
import { sampleUniform } from '../../src/sampling.js';
import { trialSeed } from '../random.js';
import { LogEI, maximizeAcquisition } from './acquisition.js';
import { type EhviReference, LogEHVI } from './ehvi.js';
import { type ColumnKind, columnKind } from './search-columns.js';
import { GPRegressor, type KernelParams, fitKernelParams } from './gp.js';
import { sampleKernelParams } from './hyperparameter-samples.js';
import { IntegratedAcquisition } from './integrated-acquisition.js';
import { GPModels, type ModelPlan, type RefitSchedule, parseRefitSchedule } from './model-cache.js';
import { standardise, warpScores } from './output-warping.js';

export interface GPSamplerOptions {
  /** Seed of the sampler's random streams: same seed, same parameters. */
  seed?: number;
  /** Random trials before the GP takes over (default 10). */
  nStartupTrials?: number;
  /** The objective has no noise: fix the noise variance at its minimum (default false, as Optuna). */
  deterministicObjective?: boolean;
  /**
   * Several objectives: the reference point of the expected hypervolume improvement, 'front'
   * (the Pareto front's nadir plus 10% of its range, default) or 'observed' (Optuna's: the worst
   * observed values); see ehvi.ts.
   */
  ehviReference?: EhviReference;
  /**
   * When to refit the kernel's hyper-parameters past 100 trials: 'growing' (default) once the
   * trials have grown by 5% since the last fit, the GP growing by the new trials in between;
   * 'every-trial' at every trial, as Optuna. Up to 100 trials both refit at every trial. See
   * model-cache.ts.
   */
  refitSchedule?: RefitSchedule;
  /**
   * The acquisition search past 400 trials: 'scaled' (default) scores exactly only the 128
   * candidates of largest upper bound and runs the local searches on local GPs of the 250
   * nearest trials; 'exact' keeps Optuna's search (every candidate, the full GP) at every size.
   */
  acquisitionSearch?: AcquisitionSearch;
  /**
   * One objective, up to 100 trials: integrate log EI over this many draws of the kernel's
   * hyper-parameters from their posterior besides the MAP fit (Snoek et al. 2012, Sec. 3.2; see
   * hyperparameter-samples.ts and integrated-acquisition.ts), instead of trusting the MAP fit
   * alone. Default 0: the MAP fit alone, as Optuna.
   */
  hyperparameterDraws?: number;
}

export type AcquisitionSearch = 'scaled' | 'exact';
const ACQUISITION_SEARCHES: readonly AcquisitionSearch[] = ['scaled', 'exact'];

/** Past this many trials the hyper-parameters are fitted on a subset of this size. */
const FIT_MAX = 128;
/** Up to this many trials the hyper-parameters are fitted from the defaults, past it warm-started. */
const COLD_FIT_MAX = 100;
/**
 * Past this many trials the acquisition search approximates (see maximizeAcquisition): it scores
 * exactly only the EXACT_CANDIDATES candidates of largest upper bound, and runs each local search
 * on a local GP of the LOCAL_GP_SIZE nearest trials. Each exact posterior costs O(n²) and a
 * search runs hundreds of them: at 1,000 trials that was 1 s of the ask (docs/bench-gp-speed.md).
 */
export const APPROXIMATE_SEARCH_MIN = 400;
export const EXACT_CANDIDATES = 128;
export const LOCAL_GP_SIZE = 250;
/** Up to this many trials `hyperparameterDraws` applies (each draw multiplies the search's cost). */
export const INTEGRATED_ACQUISITION_MAX = 100;

export class GPSampler implements Sampler {
  readonly name = 'gp';
  private seed: number;
  private readonly nStartupTrials: number;
  private readonly deterministic: boolean;
  private readonly acquisitionSearch: AcquisitionSearch;
  private readonly hyperparameterDraws: number;
  private readonly ehviReference: EhviReference;
  private readonly rng = new Rng(0);
  private rngTrialId = -1;
  private readonly intersection = new IntersectionSearchSpace();
  /** The last trial's hyper-parameters and GPs: warm starts, and the refit schedule (model-cache.ts). */
  private readonly models: GPModels;

  constructor(options: GPSamplerOptions = {}) {
    const nStartupTrials = options.nStartupTrials ?? 10;
    if (!Number.isInteger(nStartupTrials) || nStartupTrials < 0) {
      throw new UsageError(`GP: \`nStartupTrials >= 0\` must be an integer, but got nStartupTrials=${nStartupTrials}`);
    }
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.nStartupTrials = nStartupTrials;
    this.deterministic = options.deterministicObjective ?? false;
    const ehviReference = options.ehviReference ?? 'front';
    if (ehviReference !== 'front' && ehviReference !== 'observed') {
      throw new UsageError(`GP: \`ehviReference\` must be 'front' or 'observed', but got ${JSON.stringify(ehviReference)}`);
    }
    this.ehviReference = ehviReference;
    this.models = new GPModels(parseRefitSchedule(options.refitSchedule));
    const acquisitionSearch = options.acquisitionSearch ?? 'scaled';
    if (!ACQUISITION_SEARCHES.includes(acquisitionSearch)) {
      throw new UsageError(`GP: \`acquisitionSearch\` must be 'scaled' or 'exact', but got ${JSON.stringify(acquisitionSearch)}`);
    }
    this.acquisitionSearch = acquisitionSearch;
    const draws = options.hyperparameterDraws ?? 0;
    if (!Number.isInteger(draws) || draws < 0) {
      throw new UsageError(`GP: \`hyperparameterDraws\` must be an integer >= 0 (0: the MAP fit alone), but got hyperparameterDraws=${draws}`);
    }
    this.hyperparameterDraws = draws;
  }

  reseedRng(seed?: number): void {
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rngTrialId = -1;
  }

  /**
   * Trials that may be pending in a batching executor: the rest of the random start-up phase,
   * then one. Every GP proposal should see every result so far; trials in flight on other
   * workers enter as kriging-believer observations.
   */
  pendingLimit(finished: number): number {
    return finished < this.nStartupTrials ? this.nStartupTrials - finished : 1;
  }

  /** Each trial has its own stream, seeded from (seed, trial number), as the random sampler. */
  private streamFor(trial: FrozenTrial): Rng {
    if (trial.trialId !== this.rngTrialId) {
      this.rngTrialId = trial.trialId;
      this.rng.reseed(trialSeed(this.seed, trial.number));
    }
    return this.rng;
  }

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    const out: SearchSpace = {};
    for (const [name, d] of Object.entries(this.intersection.calculate(study))) if (!isSingle(d)) out[name] = d;
    return out;
  }

  sampleIndependent(_study: Study, trial: FrozenTrial, _name: string, distribution: Distribution): ParamValue {
    return sampleUniform(this.streamFor(trial), distribution);
  }

  sampleRelative(study: Study, trial: FrozenTrial, space: SearchSpace): Record<string, ParamValue> {
    const names = Object.keys(space);
    if (names.length === 0) return {};
    // A redraw (the space constraints rejected the proposal): the acquisition's maximiser given
    // the same data would be the same point, so the redraw is uniform (sampleIndependent).
    if (redrawOf(trial) > 0) return {};
    const rng = this.streamFor(trial);
    const has = (t: FrozenTrial): boolean => names.every((n) => n in t.params);
    const finished = study.getTrials({ states: ['COMPLETE'] }).filter((t) => has(t) && t.values !== null);
    if (finished.length < this.nStartupTrials || finished.length === 0) return {};
    const transform = new SearchSpaceTransform(space, { normalize: true, categorical: 'index' });
    const columns = transform.names.map((n) => columnKind(space[n]));
    const d = columns.length;
    const isCat = Uint8Array.from(transform.names, (n) => (space[n].type === 'categorical' ? 1 : 0));
    if (study.isMultiObjective) return this.sampleMultiObjective(study, trial, finished, transform, columns, isCat, rng);

    // The trials in the order the kept models want them (model-cache.ts).
    const key = JSON.stringify(transform.names.map((nm) => [nm, space[nm]]));
    const plan = this.models.plan(key, finished, 1);
    const complete = plan.trials;
    // Inputs (snapped to valid positions) and standardised scores to maximise.
    const n = complete.length;
    const x = encodePoints(complete, transform, columns);
    const feasible = complete.map((t) => isFeasible(t));
    // Standardised and Yeo-Johnson warped (output-warping.ts): a heavy tail of very good or very
    // bad values otherwise drives the fit to short length scales and the search to the box's corners.
    const y = warpScores(objectiveScores(complete, 0, study.direction, feasible));

    // Hyper-parameters by MAP; on a subset once there are many trials (the fit costs O(n³) per
    // step; the posterior below uses all). Up to COLD_FIT_MAX trials the fit starts afresh from
    // Optuna's defaults (θ = 1, s = 1, σ²ₙ = 1; `_gp/gp.py` `fit_kernel_params`) every time.
    // Optuna instead warm-starts from the previous trial's fit (`samplers/_gp/sampler.py`,
    // `_gprs_cache_list`); a warm start follows one mode of the marginal likelihood from trial
    // to trial, and that mode can keep the search exploiting a local basin. Measured on
    // hartmann6, 100 trials: seeds 0..49 reach the global basin in 34 runs fresh vs 32
    // warm-started (a difference within the seed-to-seed noise; see docs/bench-bayesian.md).
    // Past COLD_FIT_MAX the warm start keeps the fit's cost down.
    const mapParams = this.fitObjective(0, plan, x, y, d, isCat);
    let gp = this.models.models(key, plan, [mapParams], x, [y], d, isCat)[0];

    // The incumbent: the best feasible standardised score.
    let f0 = -Infinity;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      if (feasible[i] && y[i] > f0) {
        f0 = y[i];
        bestIndex = i;
      }
    }
    if (f0 === -Infinity) f0 = Math.max(...y);

    // Trials in flight: kriging believer (their predicted value as if observed).
    const pending = encodePoints(
      study.getTrials({ states: ['RUNNING'] }).filter((t) => t.trialId !== trial.trialId && has(t)),
      transform,
      columns,
    );
    gp = withBelievers(gp, y, pending);

    const searchSeed = rng.nextUint32();
    let acq: LogEI | IntegratedAcquisition = new LogEI(gp, f0);
    if (this.hyperparameterDraws > 0 && n <= INTEGRATED_ACQUISITION_MAX) {
      // The MAP fit can be over-confident (on hartmann6 it often calls the two coordinates that
      // separate the local from the global minimum flat, length scales 3-4): log EI averaged
      // over posterior draws of the hyper-parameters too (Snoek et al. 2012, Sec. 3.2).
      const draws = sampleKernelParams(x, y, d, isCat, this.deterministic, mapParams, new Rng(rng.nextUint32()), { draws: this.hyperparameterDraws });
      acq = new IntegratedAcquisition([acq, ...draws.map((params) => new LogEI(withBelievers(new GPRegressor(x, y, d, isCat, params), y, pending), f0))]);
    }
    // Optuna's 2048 candidates and 10 local searches, thinned past 100 trials, where every
    // posterior costs O(n²) and the model no longer changes much from one trial to the next.
    const nPreliminary = Math.max(512, Math.min(2048, Math.floor((2048 * 100) / Math.max(n, 100))));
    const best = maximizeAcquisition(acq, columns, [x.slice(bestIndex * d, (bestIndex + 1) * d)], {
      nPreliminary,
      nLocalSearch: n <= 150 ? 10 : 5,
      seed: searchSeed,
      ...(this.acquisitionSearch === 'scaled' && n > APPROXIMATE_SEARCH_MIN ? { nExact: EXACT_CANDIDATES, localSize: LOCAL_GP_SIZE } : {}),
    });
    return transform.decode(best.x);
  }

  /**
   * Hyper-parameters of objective `objective`'s GP: the previous ones if the plan keeps them, else
   * by MAP, on a subset once there are many trials, warm-started from the previous fit past
   * COLD_FIT_MAX trials (see sampleRelative).
   */
  private fitObjective(objective: number, plan: ModelPlan, x: Float64Array, y: Float64Array, d: number, isCat: Uint8Array): KernelParams {
    const n = y.length;
    if (!plan.refit && plan.previous) return plan.previous[objective];
    const initial = plan.previous && n > COLD_FIT_MAX ? plan.previous[objective] : undefined;
    const subset = fitSubset(y, FIT_MAX);
    const xs = new Float64Array(subset.length * d);
    const ys = Float64Array.from(subset, (i, r) => {
      xs.set(x.subarray(i * d, (i + 1) * d), r * d);
      return y[i];
    });
    return fitKernelParams(xs, ys, d, isCat, { deterministic: this.deterministic, initial, maxIterations: n <= 100 ? 100 : 30 });
  }

  /**
   * Several objectives, as Optuna 4's GPSampler with LogEHVI: one GP per objective on its
   * standardised score (every direction turned into maximisation; an infeasible trial's score no
   * better than the worst feasible one, as for one objective), then the point of largest log
   * EHVI (ehvi.ts) over the feasible trials' front, with the local searches also started from
   * up to 5 trials of that front drawn at random (Optuna: n_local_search / 2; past 150 trials 2 of
   * 5 searches). Trials in flight enter each GP as kriging believers, as for one objective.
   */
  private sampleMultiObjective(
    study: Study,
    trial: FrozenTrial,
    finished: readonly FrozenTrial[],
    transform: SearchSpaceTransform,
    columns: readonly ColumnKind[],
    isCat: Uint8Array,
    rng: Rng,
  ): Record<string, ParamValue> {
    const directions = study.directions;
    const d = columns.length;
    const key = JSON.stringify(transform.names.map((nm, k) => [nm, columns[k].count]));
    const plan = this.models.plan(key, finished, directions.length);
    const complete = plan.trials;
    const n = complete.length;
    const x = encodePoints(complete, transform, columns);
    // With no feasible trial yet, every trial counts (the front of what there is).
    const feasible = complete.map((t) => isFeasible(t));
    const anyFeasible = feasible.some(Boolean);
    const counted = Array.from({ length: n }, (_, i) => feasible[i] || !anyFeasible);

    const ys = directions.map((direction, j) => standardise(objectiveScores(complete, j, direction, feasible)));
    const params = ys.map((y, j) => this.fitObjective(j, plan, x, y, d, isCat));
    let gps = this.models.models(key, plan, params, x, ys, d, isCat);

    const names = transform.names;
    const pending = encodePoints(
      study.getTrials({ states: ['RUNNING'] }).filter((t) => t.trialId !== trial.trialId && names.every((nm) => nm in t.params)),
      transform,
      columns,
    );
    gps = gps.map((gp, j) => withBelievers(gp, ys[j], pending));

    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (counted[i]) rows.push(i);
    const scores = rows.map((i) => ys.map((y) => y[i]));
    const maximizeAll = directions.map(() => 'maximize' as const);
    const front = rows.filter((_, a) => !scores.some((other, b) => b !== a && dominates(other, scores[a], maximizeAll)));
    const warmStarts = rng
      .shuffle([...front])
      .slice(0, n <= 150 ? 5 : 2)
      .map((i) => x.slice(i * d, (i + 1) * d));
    const acq = new LogEHVI(gps, scores, { seed: rng.nextUint32(), reference: this.ehviReference });
    // Thinned past 100 and 150 trials as for one objective (each evaluation costs m posteriors).
    const nPreliminary = Math.max(512, Math.min(2048, Math.floor((2048 * 100) / Math.max(n, 100))));
    const best = maximizeAcquisition(acq, columns, warmStarts, { nPreliminary, nLocalSearch: n <= 150 ? 10 : 5, seed: rng.nextUint32() });
    return transform.decode(best.x);
  }
}

/** Each trial's parameters as a point of the unit box snapped to valid positions (n × d, row by row). */
function encodePoints(trials: readonly FrozenTrial[], transform: SearchSpaceTransform, columns: readonly ColumnKind[]): Float64Array {
  const d = columns.length;
  const x = new Float64Array(trials.length * d);
  trials.forEach((t, i) => {
    const enc = transform.encode(t.params);
    for (let k = 0; k < d; k++) x[i * d + k] = columns[k].snap(enc[k]);
  });
  return x;
}

/**
 * One objective's scores, to maximise. Infeasible trials are modelled as bad: no better than the
 * worst feasible one (with no feasible trial yet, every trial counts as it is).
 */
function objectiveScores(trials: readonly FrozenTrial[], objective: number, direction: StudyDirection, feasible: readonly boolean[]): Float64Array {
  const sign = direction === 'maximize' ? 1 : -1;
  const score = Float64Array.from(trials, (t) => sign * t.values![objective]);
  let worst = Infinity;
  for (let i = 0; i < score.length; i++) if (feasible[i]) worst = Math.min(worst, score[i]);
  if (worst === Infinity) return score;
  for (let i = 0; i < score.length; i++) if (!feasible[i]) score[i] = Math.min(score[i], worst);
  return score;
}

/**
 * The GP with the trials in flight (`pending`, points as encodePoints gives them) added as
 * observations at its own predictions ("kriging believer"): the prediction there does not move,
 * but the uncertainty collapses, so the next proposal goes elsewhere.
 */
function withBelievers(gp: GPRegressor, y: Float64Array, pending: Float64Array): GPRegressor {
  const d = gp.d;
  const nPending = pending.length / d;
  if (nPending === 0) return gp;
  const yr = new Float64Array(y.length + nPending);
  yr.set(y);
  for (let r = 0; r < nPending; r++) yr[y.length + r] = gp.posterior(pending.subarray(r * d, (r + 1) * d))[0];
  // The believers' rows extend the factor (GPRegressor.withRows), at O(n²) each.
  return gp.withRows(pending, yr);
}

/**
 * Indices of the points to fit the hyper-parameters on: all of them up to `max`; beyond, the best
 * quarter (where the search concentrates) and an even spread over the rest, in a fixed order.
 */
function fitSubset(y: Float64Array, max: number): number[] {
  const n = y.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const byScore = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[b] - y[a] || a - b);
  const nBest = Math.floor(max / 4);
  const chosen = new Set(byScore.slice(0, nBest));
  const rest = byScore.slice(nBest).sort((a, b) => a - b);
  const stride = rest.length / (max - nBest);
  for (let j = 0; j < max - nBest; j++) chosen.add(rest[Math.floor(j * stride)]);
  return [...chosen].sort((a, b) => a - b);
}
