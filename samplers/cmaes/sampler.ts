/**
 * CmaEsSampler: CMA-ES (plain, separable, with margin, with learning-rate adaptation, with IPOP or
 * BIPOP restarts) behind the study's sampler contract, safe for parallel workers and resumes.
 *
 * Search space: the intersection space of the study's finished trials, numeric parameters only
 * (float, int, ordinal; single-valued ones left out), mapped to the unit box by
 * SearchSpaceTransform (log parameters on a log scale). Categorical parameters, parameters outside
 * the intersection space and the first `nStartupTrials` trials are sampled by an independent
 * uniform sampler, as Optuna's CmaEsSampler does.
 *
 * Generations, in flight and in any order. Every trial claims a slot (storage claim, atomic across
 * processes) of the current generation G: slot i < lambda is the i-th member of the population,
 * further slots (more workers than lambda, or replacements for failed trials) are extra draws from
 * the same distribution. The point of slot (G, i) is drawn with an Rng seeded from (seed, G, i), so
 * it does not depend on which process draws it or when. The raw point is kept in the trial's
 * system attributes (`cmaes:x`, with `cmaes:generation` and `cmaes:index`). When lambda trials of
 * G are COMPLETE, in whatever order they finished, the next ask tells the optimizer the lambda
 * lowest slots and starts G + 1 (a stopped run restarts here under IPOP/BIPOP).
 *
 * State in the storage: after each generation the sampler state (optimizer, restart bookkeeping)
 * is written as JSON into study system attributes, in chunks of at most 2,045 characters (as
 * Optuna's `_cmaes.py`), under `cmaes:state:<G mod 2>:<j>`, then a small header `cmaes:state`
 * names the generation and the chunk count. A new Study object (another process, a resume) with
 * the same sampler settings rebuilds the optimizer from there and continues the same generation.
 */
import { GenerationSlots, slotIndex } from '../generation-slots.js';
import { type Distribution, type ParamValue, type SearchSpace, cardinality, distributionFromJson, distributionToJson } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import { redrawOf, redrawSeed } from '../../src/space-constraints.js';
import type { Sampler } from '../../src/sampler.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import type { TrialClaim } from '../../src/storage/storage.js';
import type { Study } from '../../src/study.js';
import { SearchSpaceTransform } from '../../src/transform.js';
import { RandomSampler } from '../random.js';
import { type AskTellOptimizer, CMA, type CmaState, defaultPopulationSize } from './cma.js';
import { CMAwM, type CmaWithMarginState } from './cma-with-margin.js';
import { SepCMA, type SepCmaState } from './sep-cma.js';
import { type RestartBook, type RestartStrategy, countGeneration, newRestartBook, nextRun } from './restart.js';
import { loadChunkedState, mixSeed, saveChunkedState, storedGeneration } from './stored-state.js';

export type { RestartStrategy };


export interface CmaEsSamplerOptions {
  seed?: number;
  /** Initial step size in the unit box (every parameter scaled to [0, 1]); default 1/6. */
  sigma0?: number;
  /** Population size lambda; default 4 + floor(3 ln n). */
  popsize?: number;
  /** Initial mean, as parameter values; missing parameters start at the centre of their range. */
  x0?: Record<string, ParamValue>;
  /** Restart a stopped run with a larger population (IPOP) or alternating small and large ones (BIPOP). */
  restartStrategy?: RestartStrategy;
  /** Factor by which a restart grows the population; default 2. */
  incPopsize?: number;
  /** CMA-ES with margin for int, stepped float and ordinal parameters. */
  withMargin?: boolean;
  /** Separable (diagonal) CMA-ES. */
  separable?: boolean;
  /** Learning-rate adaptation, for noisy or multimodal objectives. */
  lrAdapt?: boolean;
  /** Trials sampled independently before CMA-ES starts; default 1. */
  nStartupTrials?: number;
}

type OptimizerState = CmaState | SepCmaState | CmaWithMarginState;

/** Everything a process needs to continue: stored after each generation. */
interface SamplerState {
  version: 1;
  /** Global generation counter (across restarts): slots and tags refer to it. */
  generation: number;
  /** Signature of the search space the optimizer works in. */
  space: string;
  seed: number;
  optimizer: OptimizerState;
  /** Trial number from which trials of this generation can appear (scan start). */
  firstNumber: number;
  restart: RestartBook;
}

interface Prepared {
  studyId: number;
  state: SamplerState;
  optimizer: AskTellOptimizer;
  transform: SearchSpaceTransform;
}

const KEY_HEADER = 'cmaes:state';
const KEY_SLOT = 'cmaes:slot';
const KEY_X = 'cmaes:x';
const KEY_GEN = 'cmaes:generation';
const KEY_INDEX = 'cmaes:index';


function restoreOptimizer(state: OptimizerState): AskTellOptimizer {
  switch (state.kind) {
    case 'cma':
      return CMA.fromJSON(state);
    case 'sep-cma':
      return SepCMA.fromJSON(state);
    case 'cmawm':
      return CMAwM.fromJSON(state);
  }
}

function isDiscrete(d: Distribution): boolean {
  return (d.type === 'int' && !d.log) || (d.type === 'float' && d.step !== null) || d.type === 'ordinal';
}

export class CmaEsSampler implements Sampler {
  readonly name = 'cmaes';
  private readonly options: Required<Pick<CmaEsSamplerOptions, 'incPopsize' | 'withMargin' | 'separable' | 'lrAdapt' | 'nStartupTrials'>> &
    CmaEsSamplerOptions;
  /** The seed given, if any; the effective seed is the stored state's (shared by all processes). */
  private readonly userSeed: number | undefined;
  private readonly independent: RandomSampler;
  private readonly searchSpace = new IntersectionSearchSpace();
  // Caches (rebuildable from the storage).
  private cache: Prepared | null = null;
  private readonly slots = new GenerationSlots();
  /** The space computed by trialClaim, reused by inferRelativeSearchSpace for the trial it created. */
  private claimed: { studyId: number; nTrials: number; space: SearchSpace } | null = null;

  constructor(options: CmaEsSamplerOptions = {}) {
    const o: CmaEsSamplerOptions & { incPopsize: number; withMargin: boolean; separable: boolean; lrAdapt: boolean; nStartupTrials: number } = {
      incPopsize: 2,
      withMargin: false,
      separable: false,
      lrAdapt: false,
      nStartupTrials: 1,
      // Options given as undefined (e.g. from the CLI registry) keep their defaults.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as CmaEsSamplerOptions),
    };
    if (o.sigma0 !== undefined && !(o.sigma0 > 0 && Number.isFinite(o.sigma0))) throw new UsageError(`cmaes: \`sigma0 > 0\` must hold, but got sigma0=${o.sigma0}`);
    if (o.popsize !== undefined && !(Number.isInteger(o.popsize) && o.popsize >= 2)) throw new UsageError(`cmaes: popsize must be an integer >= 2, but got ${o.popsize}`);
    if (!(o.incPopsize >= 1)) throw new UsageError(`cmaes: \`incPopsize >= 1\` must hold, but got incPopsize=${o.incPopsize}`);
    if (o.restartStrategy !== undefined && o.restartStrategy !== 'ipop' && o.restartStrategy !== 'bipop') {
      throw new UsageError(`cmaes: restartStrategy must be 'ipop', 'bipop' or unset, but got '${o.restartStrategy}'`);
    }
    if (o.separable && o.withMargin) throw new UsageError('cmaes: separable and withMargin cannot be combined: choose one');
    if (o.separable && o.lrAdapt) throw new UsageError('cmaes: separable and lrAdapt cannot be combined: choose one');
    if (!(Number.isInteger(o.nStartupTrials) && o.nStartupTrials >= 0)) throw new UsageError(`cmaes: nStartupTrials must be a non-negative integer, but got ${o.nStartupTrials}`);
    this.options = o;
    this.userSeed = o.seed;
    this.independent = new RandomSampler({ seed: o.seed === undefined ? undefined : mixSeed(o.seed, 1) });
  }

  reseedRng(seed?: number): void {
    this.independent.reseedRng(seed);
  }

  // ----- the sampler contract -----

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    if (study.isMultiObjective) throw new UsageError('the cmaes sampler optimises one objective: use a single-objective study (or tpe/nsga samplers)');
    const claimed = this.claimed;
    this.claimed = null;
    // Only this trial was created since the claim: the space is the one computed there.
    if (claimed && claimed.studyId === study.studyId && study.storage.getNTrials(study.studyId) === claimed.nTrials + 1) return claimed.space;
    return this.numericSpace(study);
  }

  trialClaim(study: Study): TrialClaim | undefined {
    if (study.isMultiObjective) return undefined;
    const ready = this.prepare(study);
    if (!ready) return undefined;
    const g = ready.state.generation;
    return { key: KEY_SLOT, candidates: this.slots.candidates(g, ready.optimizer.populationSize), releaseStates: [] };
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    const slot = trial.systemAttrs[KEY_SLOT];
    if (typeof slot !== 'number') return {};
    const ready = this.cache && this.cache.studyId === study.studyId && this.cache.state.space === signature(searchSpace) ? this.cache : this.prepare(study);
    if (!ready || ready.state.space !== signature(searchSpace)) return {};
    const { state, optimizer, transform } = ready;
    const index = slotIndex(slot, state.generation, trial.number);
    // A redraw (a point the space constraints rejected) is a fresh draw from the same
    // distribution N(m, sigma^2 C): rejection sampling, which keeps the stored x the one told.
    const rng = new Rng(redrawSeed(mixSeed(state.seed, state.generation, index), redrawOf(trial)));
    const raw = optimizer.ask(rng);
    const params = transform.decode(optimizer.encode(raw));
    study.storage.setTrialSystemAttr(trial.trialId, KEY_X, Array.from(raw));
    study.storage.setTrialSystemAttr(trial.trialId, KEY_GEN, state.generation);
    study.storage.setTrialSystemAttr(trial.trialId, KEY_INDEX, index);
    return params;
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.independent.sampleIndependent(study, trial, name, distribution);
  }

  // ----- state -----

  /** The numeric, multi-valued part of the intersection space, in sorted name order. */
  private numericSpace(study: Study): SearchSpace {
    const full = this.searchSpace.calculate(study);
    const out: SearchSpace = {};
    for (const [name, d] of Object.entries(full)) if (d.type !== 'categorical' && cardinality(d) > 1) out[name] = d;
    return out;
  }

  /**
   * The current sampler state for the study's space, advancing the generation when lambda of its
   * trials are complete. Null while CMA-ES cannot start (no space yet, startup trials).
   */
  private prepare(study: Study): Prepared | null {
    const space = this.numericSpace(study);
    this.claimed = { studyId: study.studyId, nTrials: study.storage.getNTrials(study.studyId), space };
    if (Object.keys(space).length === 0) return null;
    const sig = signature(space);
    let current = this.load(study);
    // Startup: independent sampling until nStartupTrials are complete (checked until a state exists).
    if (!current && study.storage.getNTrials(study.studyId, ['COMPLETE']) < this.options.nStartupTrials) return null;
    if (!current || current.state.space !== sig) {
      current = this.fresh(study, space, sig, current ? current.state.generation + 1 : 0, current?.state.seed);
      this.save(study, current.state);
    }
    // Tell the optimizer once the current generation is complete.
    const solutions = this.completedSolutions(study, current.state, current.optimizer);
    if (solutions) {
      const { state, optimizer } = current;
      optimizer.tell(solutions);
      countGeneration(state.restart, optimizer.populationSize);
      state.generation += 1;
      state.firstNumber = study.storage.getNTrials(study.studyId);
      if (this.options.restartStrategy && optimizer.shouldStop()) current.optimizer = this.restart(state, current.transform);
      state.optimizer = current.optimizer.toJSON() as OptimizerState;
      this.save(study, state);
    }
    this.cache = current;
    return current;
  }

  /** The lambda lowest-slot COMPLETE trials of the current generation, or null if fewer. */
  private completedSolutions(study: Study, state: SamplerState, optimizer: AskTellOptimizer): { x: number[]; value: number }[] | null {
    const trials = study.storage.getAllTrials(study.studyId);
    const sign = study.direction === 'maximize' ? -1 : 1;
    const found: { index: number; x: number[]; value: number }[] = [];
    for (let i = Math.max(0, state.firstNumber); i < trials.length; i++) {
      const t = trials[i];
      if (t.state !== 'COMPLETE' || t.systemAttrs[KEY_GEN] !== state.generation || !t.values) continue;
      const x = t.systemAttrs[KEY_X];
      if (!Array.isArray(x) || x.length !== optimizer.dim) continue;
      found.push({ index: t.systemAttrs[KEY_INDEX] as number, x: x as number[], value: sign * t.values[0] });
    }
    if (found.length < optimizer.populationSize) return null;
    found.sort((a, b) => a.index - b.index);
    return found.slice(0, optimizer.populationSize);
  }

  private fresh(study: Study, space: SearchSpace, sig: string, generation: number, previousSeed: number | undefined): Prepared {
    const seed = this.userSeed ?? previousSeed ?? Math.floor(Math.random() * 2 ** 31);
    const transform = new SearchSpaceTransform(space, { categorical: 'exclude' });
    const n = transform.dim;
    const popsize0 = this.options.popsize ?? defaultPopulationSize(n);
    const mean = new Float64Array(n).fill(0.5);
    if (this.options.x0) {
      const x0 = this.options.x0;
      const known = transform.names.filter((name) => name in x0);
      if (known.length > 0) {
        const partial: Record<string, ParamValue> = {};
        for (const name of transform.names) partial[name] = name in x0 ? x0[name] : transform.decode(new Float64Array(n).fill(0.5))[name];
        const encoded = transform.encode(partial);
        for (let i = 0; i < n; i++) if (transform.names[transform.columnParam[i]] in x0) mean[i] = Math.min(1, Math.max(0, encoded[i]));
      }
    }
    const state: SamplerState = {
      version: 1,
      generation,
      space: sig,
      seed,
      optimizer: null as unknown as OptimizerState,
      firstNumber: study.storage.getNTrials(study.studyId),
      restart: newRestartBook(popsize0),
    };
    const optimizer = this.makeOptimizer(transform, mean, this.options.sigma0 ?? 1 / 6, popsize0, mixSeed(seed, generation, 0xc0ffee));
    state.optimizer = optimizer.toJSON() as OptimizerState;
    return { studyId: study.studyId, state, optimizer, transform };
  }

  private makeOptimizer(transform: SearchSpaceTransform, mean: Float64Array, sigma: number, popsize: number, seed: number): AskTellOptimizer {
    const n = transform.dim;
    const lower = new Float64Array(n);
    const upper = new Float64Array(n).fill(1);
    if (this.options.withMargin) {
      const steps = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const d = transform.space[transform.names[transform.columnParam[i]]];
        if (isDiscrete(d)) {
          const count = cardinality(d);
          // Each value owns a cell of width 1/count in the unit box; its value sits at the centre.
          steps[i] = 1 / count;
          lower[i] = 0.5 / count;
          upper[i] = 1 - 0.5 / count;
        }
      }
      return new CMAwM({ mean, sigma, populationSize: popsize, bounds: { lower, upper }, steps, seed, lrAdapt: this.options.lrAdapt });
    }
    if (this.options.separable) return new SepCMA({ mean, sigma, populationSize: popsize, bounds: { lower, upper }, seed });
    return new CMA({ mean, sigma, populationSize: popsize, bounds: { lower, upper }, seed, lrAdapt: this.options.lrAdapt });
  }

  /** A new run after a stop (restart.ts): uniform random mean, population and step size by the strategy. */
  private restart(state: SamplerState, transform: SearchSpaceTransform): AskTellOptimizer {
    const rng = new Rng(mixSeed(state.seed, state.generation, 0x5e57a47));
    const mean = Float64Array.from({ length: transform.dim }, () => rng.random());
    const { popsize, sigma } = nextRun(state.restart, this.options.restartStrategy!, this.options.incPopsize, this.options.sigma0 ?? 1 / 6, rng);
    return this.makeOptimizer(transform, mean, sigma, popsize, mixSeed(state.seed, state.generation, 0xc0ffee));
  }

  private load(study: Study): Prepared | null {
    const generation = storedGeneration(study, KEY_HEADER);
    if (generation === null) return null;
    if (this.cache && this.cache.studyId === study.studyId && this.cache.state.generation === generation) return this.cache;
    const state = loadChunkedState<SamplerState>(study, KEY_HEADER);
    if (!state) return null;
    const space = spaceFromSignature(state.space);
    return { studyId: study.studyId, state, optimizer: restoreOptimizer(state.optimizer), transform: new SearchSpaceTransform(space, { categorical: 'exclude' }) };
  }

  private save(study: Study, state: SamplerState): void {
    saveChunkedState(study, KEY_HEADER, state.generation, state);
  }
}

function signature(space: SearchSpace): string {
  return JSON.stringify(Object.entries(space).map(([name, d]) => [name, distributionToJson(d)]));
}

function spaceFromSignature(sig: string): SearchSpace {
  const entries = JSON.parse(sig) as [string, ReturnType<typeof distributionToJson>][];
  const space: SearchSpace = {};
  for (const [name, json] of entries) space[name] = distributionFromJson(json);
  return space;
}
