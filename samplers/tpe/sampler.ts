/**
 * The Tree-structured Parzen Estimator sampler, as Optuna 4's `TPESampler` (Bergstra et al. 2011;
 * Watanabe 2023, "Tree-Structured Parzen Estimator: Understanding Its Algorithm Components").
 *
 * After `nStartupTrials` random trials, each proposal splits the history into the best
 * γ(n) trials ("below") and the rest ("above"), fits a Parzen estimator l(x) to the first and
 * g(x) to the second, draws `nEiCandidates` points from l and keeps the one with the largest
 * l(x)/g(x), which maximises expected improvement under the TPE model (Watanabe 2023, eq. 3-5).
 *
 * Multivariate mode (the default on one objective) fits joint kernels over the parameters every
 * trial shared (the intersection search space), and `group` over each group of parameters that
 * always appear together; independent mode (`multivariate: false`, Optuna's default and ours on
 * several objectives) does this per parameter. Parameters outside the joint space are sampled
 * independently, as Optuna does, so define-by-run spaces work in every mode.
 *
 * Why multivariate by default: over the public test functions and the wider ones
 * (studies/functions; docs/bench-samplers-wide.md, "TPE's defaults"), 10 seeds at 100 and 300
 * trials, joint kernels with Scott's bandwidth scored a geometric mean regret ratio of 0.355
 * against Optuna's default TPE on the public functions and 0.667 against independent TPE on the
 * wider ones (0.507 over all 32 cells, no cell above 1.24), where independent TPE scored 0.989
 * and 1.0. On several objectives independent kernels stay: joint ones lowered DTLZ2's hypervolume
 * (docs/bench-multi-objective.md).
 *
 * On a study whose declared space has constraints (src/space-constraints.ts), each proposal is
 * the whole point at once: the best of TPE's complete candidates that satisfies the constraints
 * (valid-proposal.ts), handed out parameter by parameter as the study builds the point; without
 * constraints nothing changes.
 *
 * Several objectives follow Optuna 5 (MOTPE, Ozaki et al. 2022, JAIR 75, as Optuna simplified
 * it): the below group is the first non-domination ranks, the rank that does not fit whole cut
 * by greedy hypervolume subset selection (split.ts, hssp.ts), its size ⌈0.1 n⌉ without the cap of
 * 25; and its trials weigh the same, where Optuna 4 weighed them by hypervolume contribution. On
 * ZDT1 and ZDT2 over 30 seeds uniform weights did as well or better at 100 and 300 trials
 * (docs/bench-multi-objective.md), and they spare a leave-one-out hypervolume per trial per ask.
 */
import { type Distribution, type ParamValue, type SearchSpace, distributionsEqual, isSingle, steppedFloat } from '../../src/distributions.js';
import { decidedParamsOf, decidedValue } from '../../src/decided-params.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial, TrialState } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import type { Sampler } from '../../src/sampler.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import { entryDistribution, isConstrained, redrawOf } from '../../src/space-constraints.js';
import type { Study } from '../../src/study.js';
import { sampleUniform } from '../../src/sampling.js';
import { trialSeed } from '../random.js';
import { defaultGamma, defaultGammaMultiObjective, defaultWeights } from './defaults.js';
import { GroupDecomposedSearchSpace } from './group-search-space.js';
import { SortedParzen1D } from './parzen-1d.js';
import { type MultivariateBandwidth, ParzenEstimator, type ParzenEstimatorOptions, parzenDim } from './parzen-estimator.js';
import { type Allocator, Scratch } from './scratch.js';
import { SortedColumn, internalValue } from './sorted-column.js';
import { type TrialSplit, splitTrials } from './split.js';
import { type ScoredCandidates, type ValidProposal, proposeValidPoint } from './valid-proposal.js';

export interface TPESamplerOptions {
  /** Seed of the sampler's random stream: same seed, same parameters. */
  seed?: number;
  /** Random trials before the model takes over (default 10). */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per proposal (default 24). */
  nEiCandidates?: number;
  /**
   * Joint kernels over the shared parameters. Default: true on a single-objective study, false
   * on several objectives (unless `group`); `false` is Optuna's `TPESampler()`.
   */
  multivariate?: boolean;
  /** Multivariate, modelling each group of co-occurring parameters jointly (default false; implies multivariate). */
  group?: boolean;
  /** Count RUNNING trials as bad ones, so parallel workers spread out (default false). */
  constantLiar?: boolean;
  /** Let the outermost kernels' bandwidth reach the range ends (default false). */
  considerEndpoints?: boolean;
  /** Weight of the prior kernel, relative to an observation's (default 1). */
  priorWeight?: number;
  /**
   * With `multivariate`: 'scott' (default) narrows the joint kernels with the spread of the
   * observations (Scott's rule on their standard deviation, capped at Optuna's bandwidth);
   * 'optuna' keeps Optuna's 0.2 × range × n^(-1/(d+4)).
   */
  multivariateBandwidth?: MultivariateBandwidth;
  /** Size of the below group for n observations (default min(⌈0.1 n⌉, 25); with several objectives ⌈0.1 n⌉, as Optuna 5). */
  gamma?: (n: number) => number;
  /** Weights of n observations in trial order (default: Optuna's `default_weights`). */
  weights?: (n: number) => ArrayLike<number>;
}

const STATES: readonly TrialState[] = ['COMPLETE', 'PRUNED'];
const STATES_WITH_RUNNING: readonly TrialState[] = ['COMPLETE', 'PRUNED', 'RUNNING'];

/** What one ask needs from the history, computed once per trial and reused for each parameter. */
interface AskContext {
  readonly study: Study;
  readonly trialId: number;
  /** COMPLETE and PRUNED trials (for the startup count). */
  readonly nFinished: number;
  readonly split: TrialSplit;
  /** Below and above trials together. */
  readonly trials: readonly FrozenTrial[];
  /** Per trial number: BELOW, ABOVE or 0 (not used). */
  readonly role: Uint8Array;
}

const BELOW = 1;
const ABOVE = 2;

/** l(x) and g(x) of one parameter: fused one-dimensional estimators, or general ones for a categorical. */
type FittedOne = { kind: 'numeric'; l: SortedParzen1D; g: SortedParzen1D } | { kind: 'categorical'; l: ParzenEstimator; g: ParzenEstimator };

/** The point proposed for one draw of a trial on a constrained space (valid-proposal.ts). */
interface ProposalCache {
  readonly trialId: number;
  readonly redraw: number;
  readonly point: Readonly<Record<string, ParamValue>>;
}

export class TPESampler implements Sampler {
  readonly name = 'tpe';
  private seed: number;
  private readonly rng = new Rng(0);
  /** The trial whose stream `rng` is on. */
  private rngTrialId = -1;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  /** Undefined: the default for the study's objective count (see `multivariateFor`). */
  private readonly multivariate: boolean | undefined;
  private readonly group: boolean;
  private readonly constantLiar: boolean;
  /** Undefined: the default for the study's objective count. */
  private readonly gamma: ((n: number) => number) | undefined;
  private readonly weights: (n: number) => ArrayLike<number>;
  private readonly parzenOptions: { readonly joint: ParzenEstimatorOptions; readonly independent: ParzenEstimatorOptions };
  /** Arrays of one proposal; reset at the start of each. */
  private readonly scratch = new Scratch();
  private readonly intersection = new IntersectionSearchSpace({ includePruned: true });
  private readonly groups = new GroupDecomposedSearchSpace();
  private lastGroups: SearchSpace[] = [];
  private context: AskContext | null = null;
  /** Sorted values per parameter name, for the study `columnsStudyId`. */
  private readonly columns = new Map<string, SortedColumn>();
  private columnsStudy: Study | null = null;
  /** The last point proposed on a constrained space, handed out parameter by parameter. */
  private proposal: ProposalCache | null = null;

  constructor(options: TPESamplerOptions = {}) {
    const nStartupTrials = options.nStartupTrials ?? 10;
    const nEiCandidates = options.nEiCandidates ?? 24;
    const priorWeight = options.priorWeight ?? 1;
    if (!Number.isInteger(nStartupTrials) || nStartupTrials < 0) {
      throw new UsageError(`TPE: \`nStartupTrials >= 0\` must be an integer, but got nStartupTrials=${nStartupTrials}`);
    }
    if (!Number.isInteger(nEiCandidates) || nEiCandidates < 1) {
      throw new UsageError(`TPE: \`nEiCandidates >= 1\` must be an integer, but got nEiCandidates=${nEiCandidates}`);
    }
    if (!(priorWeight > 0) || !Number.isFinite(priorWeight)) {
      throw new UsageError(`TPE: \`priorWeight > 0\` must hold, but got priorWeight=${priorWeight}`);
    }
    if (options.group && options.multivariate === false) {
      throw new UsageError('TPE: the `group` option needs `multivariate`: set multivariate=true (or leave it out) or drop group');
    }
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    this.nStartupTrials = nStartupTrials;
    this.nEiCandidates = nEiCandidates;
    this.multivariate = options.multivariate;
    this.group = options.group ?? false;
    this.constantLiar = options.constantLiar ?? false;
    this.gamma = options.gamma;
    this.weights = options.weights ?? defaultWeights;
    const bandwidth = options.multivariateBandwidth ?? 'scott';
    if (bandwidth !== 'scott' && bandwidth !== 'optuna') {
      throw new UsageError(`TPE: \`multivariateBandwidth\` must be 'scott' or 'optuna', but got '${bandwidth}'`);
    }
    const parzen = { priorWeight, multivariateBandwidth: bandwidth, considerEndpoints: options.considerEndpoints ?? false, alloc: this.scratch };
    this.parzenOptions = { joint: { ...parzen, multivariate: true }, independent: { ...parzen, multivariate: false } };
  }

  /** Whether this study gets joint kernels: the option, else the default for its objective count. */
  private multivariateFor(study: Study): boolean {
    return this.multivariate ?? (this.group || !study.isMultiObjective);
  }

  /** The estimators' settings for this study (multivariate ones take Scott's bandwidths, also for parameters sampled on their own, as Optuna). */
  private parzenOptionsFor(study: Study): ParzenEstimatorOptions {
    return this.multivariateFor(study) ? this.parzenOptions.joint : this.parzenOptions.independent;
  }

  reseedRng(seed?: number): void {
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    this.rngTrialId = -1;
  }

  /**
   * Trials that may be pending in a batching executor: the rest of the random start-up phase,
   * then one (the executor still allows one per worker). Proposals made from the same model
   * crowd together: on the IB study, letting one in 20 finished trials be pending (25 at 500
   * trials) cost a third of the best Sharpe ratio at 500 trials over three seeds, while one per
   * worker matched the sequential run.
   */
  pendingLimit(finished: number): number {
    return finished < this.nStartupTrials ? this.nStartupTrials - finished : 1;
  }

  /**
   * Each trial draws from its own stream, seeded from (seed, trial number) as the random
   * sampler's: a resumed study does not repeat its first run, and a trial's parameters do not
   * depend on the order in which a worker pool asks for them.
   */
  private streamFor(trial: FrozenTrial): void {
    if (trial.trialId === this.rngTrialId) return;
    this.rngTrialId = trial.trialId;
    this.rng.reseed(trialSeed(this.seed, trial.number));
  }

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    if (!this.multivariateFor(study)) return {};
    const out: SearchSpace = {};
    if (this.group) {
      this.lastGroups = this.groups.calculate(study);
      for (const g of this.lastGroups) for (const [name, d] of Object.entries(g)) if (!isSingle(d)) out[name] = d;
      return out;
    }
    for (const [name, d] of Object.entries(this.intersection.calculate(study))) if (!isSingle(d)) out[name] = d;
    return out;
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    if (Object.keys(searchSpace).length === 0) return {};
    this.streamFor(trial);
    const ctx = this.contextFor(study, trial);
    if (ctx.nFinished < this.nStartupTrials) return {};
    if (isConstrained(study.space)) {
      const jointSpaces = this.group ? this.lastGroups.map((g) => subSpace(g, searchSpace)) : [searchSpace];
      const point = this.proposeValid(study, trial, ctx, jointSpaces).point;
      const out: Record<string, ParamValue> = {};
      for (const name of Object.keys(searchSpace)) if (Object.prototype.hasOwnProperty.call(point, name)) out[name] = point[name];
      return out;
    }
    if (!this.group) return this.sampleSpace(study, ctx, searchSpace);
    const out: Record<string, ParamValue> = {};
    for (const g of this.lastGroups) {
      const sub = subSpace(g, searchSpace);
      if (Object.keys(sub).length > 0) Object.assign(out, this.sampleSpace(study, ctx, sub));
    }
    return out;
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    this.streamFor(trial);
    if (isSingle(distribution)) return sampleUniform(this.rng, distribution);
    const ctx = this.contextFor(study, trial);
    if (ctx.nFinished < this.nStartupTrials) return sampleUniform(this.rng, distribution);
    if (isConstrained(study.space)) {
      const proposed = this.proposedValue(study, trial, ctx, name, distribution);
      if (proposed !== undefined) return proposed;
    }
    return this.sampleOne(study, ctx, name, distribution);
  }

  /**
   * On a constrained space: the value of `name` in the point proposed for this draw of the trial
   * (proposed now, on the first parameter asked, unless sampleRelative did); undefined for a
   * parameter outside the declared space, which is sampled as usual.
   */
  private proposedValue(study: Study, trial: FrozenTrial, ctx: AskContext, name: string, distribution: Distribution): ParamValue | undefined {
    const entry = Object.prototype.hasOwnProperty.call(study.space, name) ? study.space![name] : undefined;
    if (entry === undefined || !distributionsEqual(entryDistribution(entry), distribution)) return undefined;
    const cached = this.proposal;
    const point = cached && cached.trialId === trial.trialId && cached.redraw === redrawOf(trial) ? cached.point : this.proposeValid(study, trial, ctx, []).point;
    // The study builds the point in declaration order from these values: what it holds so far
    // must be this proposal's, or the proposal is not the one being built.
    for (const [n, v] of Object.entries(trial.params)) if (Object.prototype.hasOwnProperty.call(point, n) && point[n] !== v) return undefined;
    return Object.prototype.hasOwnProperty.call(point, name) ? point[name] : undefined;
  }

  /**
   * TPE's best valid point for this draw of the trial (valid-proposal.ts), its decided values
   * kept, with `jointSpaces` modelled jointly and every other parameter on its own; cached for
   * the parameters asked next.
   */
  private proposeValid(study: Study, trial: FrozenTrial, ctx: AskContext, jointSpaces: readonly SearchSpace[]): ValidProposal {
    const decided = decidedParamsOf(study, trial);
    const has = (values: Readonly<Record<string, ParamValue>> | undefined, name: string): boolean => values !== undefined && Object.prototype.hasOwnProperty.call(values, name);
    const proposal = proposeValidPoint({
      space: study.space!,
      isDecided: (name) => has(trial.params, name) || has(decided?.values, name),
      decidedValue: (name, d) => (has(trial.params, name) ? trial.params[name] : decidedValue(decided, name, d)),
      jointSpaces,
      source: {
        independent: (name, d, count) => this.independentCandidates(study, ctx, name, d, count),
        joint: (space, count) => this.jointCandidates(study, ctx, space, count),
      },
      nCandidates: this.nEiCandidates,
    });
    this.proposal = { trialId: trial.trialId, redraw: redrawOf(trial), point: proposal.point };
    return proposal;
  }

  /** `count` candidates of one parameter from its l(x), scored by log l - log g. */
  private independentCandidates(study: Study, ctx: AskContext, name: string, distribution: Distribution, count: number): ScoredCandidates {
    if (isSingle(distribution)) return { values: [new Array<ParamValue>(count).fill(sampleUniform(this.rng, distribution))], scores: new Float64Array(count) };
    const fit = this.fitOne(study, ctx, name, distribution);
    let internal: Float64Array;
    let logL: Float64Array;
    let logG: Float64Array;
    if (fit.kind === 'categorical') {
      const drawn = fit.l.sample(this.rng, count);
      internal = drawn[0];
      logL = fit.l.logPdf(drawn);
      logG = fit.g.logPdf(drawn);
    } else {
      internal = fit.l.sample(this.rng, count);
      logL = fit.l.logPdf(internal);
      logG = fit.g.logPdf(internal);
    }
    // Copied out: the estimators' arrays live in the scratch, which the next fit reuses.
    return { values: [Array.from(internal, (x) => toExternalValue(distribution, x))], scores: Float64Array.from(logL, (l, c) => l - logG[c]) };
  }

  /** `count` candidates of the parameters of `space` drawn jointly from l(x), scored by log l - log g. */
  private jointCandidates(study: Study, ctx: AskContext, space: SearchSpace, count: number): ScoredCandidates {
    const { dists, below, above } = this.fitSpace(study, ctx, space);
    const drawn = below.sample(this.rng, count);
    const logL = below.logPdf(drawn);
    const logG = above.logPdf(drawn);
    return { values: drawn.map((col, d) => Array.from(col, (x) => toExternalValue(dists[d], x))), scores: Float64Array.from(logL, (l, c) => l - logG[c]) };
  }

  /** The split of the history for this trial, computed on its first parameter and then reused. */
  private contextFor(study: Study, trial: FrozenTrial): AskContext {
    if (this.context && this.context.study === study && this.context.trialId === trial.trialId) return this.context;
    const all = study.getTrials({ states: this.constantLiar ? STATES_WITH_RUNNING : STATES });
    const trials: FrozenTrial[] = [];
    let nFinished = 0;
    for (const t of all) {
      if (t.trialId === trial.trialId) continue;
      trials.push(t);
      if (t.state !== 'RUNNING') nFinished++;
    }
    const gamma = this.gamma ?? (study.isMultiObjective ? defaultGammaMultiObjective : defaultGamma);
    const nBelow = Math.max(0, Math.floor(gamma(nFinished)));
    const split = splitTrials(trials, nBelow, study.directions);
    let maxNumber = -1;
    for (const t of trials) if (t.number > maxNumber) maxNumber = t.number;
    const role = new Uint8Array(maxNumber + 1);
    for (const t of split.below) role[t.number] = BELOW;
    for (const t of split.above) role[t.number] = ABOVE;
    this.context = { study, trialId: trial.trialId, nFinished, split, trials, role };
    return this.context;
  }

  /**
   * One TPE proposal for a single parameter: the same as `sampleSpace` with one parameter, but
   * with the observations taken from a sorted column kept across asks (see SortedColumn).
   */
  private sampleOne(study: Study, ctx: AskContext, name: string, distribution: Distribution): ParamValue {
    const fit = this.fitOne(study, ctx, name, distribution);
    let candidates: Float64Array;
    let best: number;
    if (fit.kind === 'categorical') {
      const drawn = fit.l.sample(this.rng, this.nEiCandidates);
      candidates = drawn[0];
      best = argmaxRatio(fit.l.logPdf(drawn), fit.g.logPdf(drawn));
    } else {
      candidates = fit.l.sample(this.rng, this.nEiCandidates);
      best = fit.g.argmaxRatio(candidates, fit.l.logPdf(candidates));
    }
    return toExternalValue(distribution, candidates[best]);
  }

  /**
   * l(x) and g(x) of one parameter, fitted on its sorted column (valid until the scratch's next
   * reset, which this starts with).
   */
  private fitOne(study: Study, ctx: AskContext, name: string, distribution: Distribution): FittedOne {
    const column = this.columnOf(study, ctx, name, distribution);
    const scratch = this.scratch;
    scratch.reset();
    const [below, above] = column.select(ctx.role, BELOW, ABOVE, scratch);
    // Several objectives: the below group weighs uniformly (see the header).
    const belowWeights = study.isMultiObjective
      ? scratch.float64(below.numbers.length).fill(1)
      : weightsByValueOrder(below.numbers, this.checkedWeights(below.numbers.length), ctx.role.length, scratch);
    const aboveWeights = weightsByValueOrder(above.numbers, this.checkedWeights(above.numbers.length), ctx.role.length, scratch);
    const dim = parzenDim(distribution);
    if (dim.kind === 'categorical') {
      const l = new ParzenEstimator([dim], [below.values], belowWeights, this.parzenOptionsFor(study));
      const g = new ParzenEstimator([dim], [above.values], aboveWeights, this.parzenOptionsFor(study));
      return { kind: 'categorical', l, g };
    }
    // The columns come sorted, so the fused one-dimensional estimator applies directly.
    const l = new SortedParzen1D(dim, below.values, belowWeights, this.parzenOptionsFor(study));
    const g = new SortedParzen1D(dim, above.values, aboveWeights, this.parzenOptionsFor(study));
    return { kind: 'numeric', l, g };
  }

  /** The cached column of `name`, updated with the trials of this ask. */
  private columnOf(study: Study, ctx: AskContext, name: string, distribution: Distribution): SortedColumn {
    if (this.columnsStudy !== study) {
      this.columns.clear();
      this.columnsStudy = study;
    }
    let column = this.columns.get(name);
    if (!column) {
      column = new SortedColumn(name, (v) => internalValue(distribution, v));
      this.columns.set(name, column);
    }
    column.update(ctx.trials);
    return column;
  }

  /** One TPE proposal for the parameters of `space`, jointly (Watanabe 2023, Algorithm 1). */
  private sampleSpace(study: Study, ctx: AskContext, space: SearchSpace): Record<string, ParamValue> {
    const { names, dists, below, above } = this.fitSpace(study, ctx, space);
    const candidates = below.sample(this.rng, this.nEiCandidates);
    const best = argmaxRatio(below.logPdf(candidates), above.logPdf(candidates));
    const out: Record<string, ParamValue> = {};
    for (let d = 0; d < names.length; d++) out[names[d]] = toExternalValue(dists[d], candidates[d][best]);
    return out;
  }

  /** Joint l(x) and g(x) over the parameters of `space` (valid until the scratch's next reset, which this starts with). */
  private fitSpace(study: Study, ctx: AskContext, space: SearchSpace): { names: string[]; dists: Distribution[]; below: ParzenEstimator; above: ParzenEstimator } {
    this.scratch.reset();
    const names = Object.keys(space);
    const dists = names.map((n) => space[n]);
    const dims = dists.map(parzenDim);
    // The cached columns spare converting every trial's parameters again on each ask.
    const columns = names.map((name, d) => this.columnOf(study, ctx, name, dists[d]));
    const belowObs = observations(ctx.split.below, columns, this.scratch);
    const aboveObs = observations(ctx.split.above, columns, this.scratch);
    const belowWeights = study.isMultiObjective ? this.scratch.float64(belowObs[0].length).fill(1) : this.checkedWeights(belowObs[0].length);
    const below = new ParzenEstimator(dims, belowObs, belowWeights, this.parzenOptionsFor(study));
    const above = new ParzenEstimator(dims, aboveObs, this.checkedWeights(aboveObs[0].length), this.parzenOptionsFor(study));
    return { names, dists, below, above };
  }

  private checkedWeights(n: number): ArrayLike<number> {
    if (this.weights === defaultWeights) return defaultWeights(n, this.scratch.float64(n));
    const w = this.weights(n);
    if (w.length < n) throw new UsageError(`TPE: the \`weights\` function must return ${n} weights for ${n} observations, but returned ${w.length}`);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new UsageError(`TPE: the \`weights\` function must return finite non-negative weights, but returned ${w[i]}`);
      sum += w[i];
    }
    if (n > 0 && !(sum > 0)) throw new UsageError('TPE: the `weights` function must not return all-zero weights');
    return w;
  }
}

/**
 * Internal values of the columns' parameters in the trials that have all of them (trials missing
 * one are left out, as Optuna's `_get_internal_repr`), per parameter, in the trials' order.
 */
function observations(trials: readonly FrozenTrial[], columns: readonly SortedColumn[], alloc: Allocator): Float64Array[] {
  const m = columns.length;
  const cols = columns.map(() => alloc.float64(trials.length));
  let used = 0;
  for (const t of trials) {
    let d = 0;
    for (; d < m; d++) {
      const v = columns[d].valueOf(t.number);
      if (v === null) break;
      cols[d][used] = v;
    }
    // A trial missing a parameter is overwritten by the next one.
    if (d === m) used++;
  }
  return cols.map((col) => col.subarray(0, used));
}

/** The candidate with the largest log l(x)/g(x) (Watanabe 2023, eq. 5); the first on ties. */
function argmaxRatio(logL: Float64Array, logG: Float64Array): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < logL.length; c++) {
    const score = logL[c] - logG[c];
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

/**
 * Weights given in trial-number order (as the weights functions define them), rearranged to
 * follow `numbers`, the trial numbers of observations listed in value order.
 */
function weightsByValueOrder(numbers: Int32Array, weightsInNumberOrder: ArrayLike<number>, maxNumber: number, scratch: Scratch): Float64Array {
  const rank = scratch.int32(maxNumber + 1).fill(-1);
  for (let i = 0; i < numbers.length; i++) rank[numbers[i]] = 0;
  let r = 0;
  for (let num = 0; num <= maxNumber; num++) if (rank[num] === 0) rank[num] = r++;
  const out = scratch.float64(numbers.length);
  for (let i = 0; i < numbers.length; i++) out[i] = weightsInNumberOrder[rank[numbers[i]]];
  return out;
}

/** The parameters of `group` that `space` has, with `space`'s distributions. */
function subSpace(group: SearchSpace, space: SearchSpace): SearchSpace {
  const sub: SearchSpace = {};
  for (const name of Object.keys(group)) if (name in space) sub[name] = space[name];
  return sub;
}

function toExternalValue(d: Distribution, internal: number): ParamValue {
  switch (d.type) {
    case 'float': {
      if (d.step === null) return Math.min(d.high, Math.max(d.low, internal));
      const n = Math.round((d.high - d.low) / d.step);
      const k = Math.min(n, Math.max(0, Math.round((internal - d.low) / d.step)));
      return k === n ? d.high : steppedFloat(d.low, d.step, k);
    }
    case 'int': {
      const k = Math.round((internal - d.low) / d.step);
      return Math.min(d.high, Math.max(d.low, d.low + k * d.step));
    }
    case 'ordinal':
      return d.values[Math.min(d.values.length - 1, Math.max(0, Math.round(internal)))];
    case 'categorical':
      return d.choices[Math.min(d.choices.length - 1, Math.max(0, Math.round(internal)))];
  }
}
