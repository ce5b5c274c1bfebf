/**
 * DESampler: differential evolution (`de.ts`) behind the study's sampler contract, a generation
 * at a time, parallel and resume safe.
 *
 * Search space: the intersection space of the finished trials (single-valued parameters left
 * out), mapped to the unit box by SearchSpaceTransform: log parameters on a log scale, int,
 * stepped and ordinal parameters as continuous coordinates rounded on decoding (each value owns an
 * equal cell), categoricals one-hot (the choice is the largest of its columns). The population
 * keeps the continuous points, so rounding never stalls the search. The first trial, and
 * parameters outside the intersection space, are sampled uniformly at random.
 *
 * Every trial claims a slot of the current generation G (an atomic storage claim): slot i < popsize
 * is the trial vector of target i; later slots are extra trial vectors for target i mod popsize,
 * drawn with an Rng seeded from (seed, G, slot), for more workers than the population or to replace
 * failures. When popsize trials of G are finished (COMPLETE, FAIL or PRUNED, told in any order),
 * the next ask runs selection with the COMPLETE ones and starts G + 1. The optimizer state is
 * JSON in study system attributes (`de:state`, chunked), so a new Study object on the same
 * storage continues the same generation.
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
import { loadChunkedState, mixSeed, saveChunkedState, storedGeneration } from '../cmaes/stored-state.js';
import { RandomSampler } from '../random.js';
import { type DeInit, type DeResult, type DeState, type DeStrategy, DifferentialEvolution, checkDeOptions } from './de.js';

export interface DESamplerOptions {
  seed?: number;
  /** Number of individuals; default max(10, n) for n unit-box coordinates (one-hot columns count). */
  popsize?: number;
  /** Default 'best1bin' (SciPy's default). */
  strategy?: DeStrategy;
  /** F, or [lo, hi] to draw F per generation (dithering); default [0.5, 1]. */
  mutation?: number | [number, number];
  /** Crossover probability CR; default 0.7. */
  recombination?: number;
  /** Initial population: Latin hypercube (default), scrambled Sobol, or uniform random. */
  init?: DeInit;
}

interface SamplerState {
  version: 1;
  generation: number;
  space: string;
  seed: number;
  firstNumber: number;
  de: DeState;
}

interface Prepared {
  studyId: number;
  state: SamplerState;
  de: DifferentialEvolution;
  transform: SearchSpaceTransform;
}

const KEY_STATE = 'de:state';
const KEY_SLOT = 'de:slot';
const KEY_X = 'de:x';
const KEY_GEN = 'de:generation';
const KEY_INDEX = 'de:index';

/**
 * The default population for n coordinates: max(10, n). Small, so that a few hundred trials make
 * many generations (SciPy's 15 n suits budgets of many thousands); on the reference functions,
 * 10 beat 15, n + 6 and 2 n + 6 at 100, 300 and 1,000 trials (docs/bench-evolutionary.md).
 */
export function defaultDePopsize(n: number): number {
  return Math.max(10, n);
}

export class DESampler implements Sampler {
  readonly name = 'de';
  private readonly options: DESamplerOptions;
  private readonly independent: RandomSampler;
  private readonly searchSpace = new IntersectionSearchSpace();
  private cache: Prepared | null = null;
  private readonly slots = new GenerationSlots();
  /** The space computed by trialClaim, reused by inferRelativeSearchSpace for the trial it created. */
  private claimed: { studyId: number; nTrials: number; space: SearchSpace } | null = null;

  constructor(options: DESamplerOptions = {}) {
    checkDeOptions({ ...options, popsize: options.popsize ?? 10 });
    this.options = { ...options };
    this.independent = new RandomSampler({ seed: options.seed === undefined ? undefined : mixSeed(options.seed, 2) });
  }

  reseedRng(seed?: number): void {
    this.independent.reseedRng(seed);
  }

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    if (study.isMultiObjective) throw new UsageError('the de sampler optimises one objective: use a single-objective study');
    const claimed = this.claimed;
    this.claimed = null;
    // Only this trial was created since the claim: the space is the one computed there.
    if (claimed && claimed.studyId === study.studyId && study.storage.getNTrials(study.studyId) === claimed.nTrials + 1) return claimed.space;
    return this.space(study);
  }

  trialClaim(study: Study): TrialClaim | undefined {
    if (study.isMultiObjective) return undefined;
    const ready = this.prepare(study);
    if (!ready) return undefined;
    const g = ready.state.generation;
    return { key: KEY_SLOT, candidates: this.slots.candidates(g, ready.de.popsize), releaseStates: [] };
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    const slot = trial.systemAttrs[KEY_SLOT];
    if (typeof slot !== 'number') return {};
    const sig = signature(searchSpace);
    const ready = this.cache && this.cache.studyId === study.studyId && this.cache.state.space === sig ? this.cache : this.prepare(study);
    if (!ready || ready.state.space !== sig) return {};
    const { state, de, transform } = ready;
    const index = slotIndex(slot, state.generation, trial.number);
    // A redraw (a point the space constraints rejected) takes another trial vector for the same
    // target (fresh mutation and crossover draws), as a slot beyond the population does.
    const redraw = redrawOf(trial);
    const x =
      index < de.popsize && redraw === 0
        ? de.candidates()[index]
        : de.extraCandidate(index, new Rng(redrawSeed(mixSeed(state.seed, state.generation, index), redraw)));
    study.storage.setTrialSystemAttr(trial.trialId, KEY_X, Array.from(x));
    study.storage.setTrialSystemAttr(trial.trialId, KEY_GEN, state.generation);
    study.storage.setTrialSystemAttr(trial.trialId, KEY_INDEX, index);
    return transform.decode(x);
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.independent.sampleIndependent(study, trial, name, distribution);
  }

  private space(study: Study): SearchSpace {
    const out: SearchSpace = {};
    for (const [name, d] of Object.entries(this.searchSpace.calculate(study))) if (cardinality(d) > 1) out[name] = d;
    return out;
  }

  private prepare(study: Study): Prepared | null {
    const space = this.space(study);
    this.claimed = { studyId: study.studyId, nTrials: study.storage.getNTrials(study.studyId), space };
    if (Object.keys(space).length === 0) return null;
    const sig = signature(space);
    let current = this.load(study);
    if (!current || current.state.space !== sig) {
      current = this.fresh(study, space, sig, current ? current.state.generation + 1 : 0, current?.state.seed);
      saveChunkedState(study, KEY_STATE, current.state.generation, current.state);
    }
    const results = this.finishedResults(study, current);
    if (results) {
      const { state, de } = current;
      de.tell(results);
      state.generation += 1;
      state.firstNumber = study.storage.getNTrials(study.studyId);
      state.de = de.toJSON();
      saveChunkedState(study, KEY_STATE, state.generation, state);
    }
    this.cache = current;
    return current;
  }

  /** The COMPLETE results of the current generation once popsize of its trials are finished; else null. */
  private finishedResults(study: Study, current: Prepared): DeResult[] | null {
    const { state, de } = current;
    const trials = study.storage.getAllTrials(study.studyId);
    const sign = study.direction === 'maximize' ? -1 : 1;
    let finished = 0;
    const results: DeResult[] = [];
    for (let i = Math.max(0, state.firstNumber); i < trials.length; i++) {
      const t = trials[i];
      if (t.systemAttrs[KEY_GEN] !== state.generation || t.state === 'RUNNING' || t.state === 'WAITING') continue;
      finished++;
      const x = t.systemAttrs[KEY_X];
      if (t.state === 'COMPLETE' && t.values && Array.isArray(x) && x.length === de.dim) {
        results.push({ index: (t.systemAttrs[KEY_INDEX] as number) % de.popsize, x: x as number[], value: sign * t.values[0] });
      }
    }
    return finished >= de.popsize ? results : null;
  }

  private fresh(study: Study, space: SearchSpace, sig: string, generation: number, previousSeed: number | undefined): Prepared {
    const seed = this.options.seed ?? previousSeed ?? Math.floor(Math.random() * 2 ** 31);
    const transform = new SearchSpaceTransform(space, { categorical: 'onehot' });
    const de = new DifferentialEvolution({
      dim: transform.dim,
      popsize: this.options.popsize ?? defaultDePopsize(transform.dim),
      strategy: this.options.strategy,
      mutation: this.options.mutation,
      recombination: this.options.recombination,
      init: this.options.init,
      seed: mixSeed(seed, generation),
    });
    const state: SamplerState = { version: 1, generation, space: sig, seed, firstNumber: study.storage.getNTrials(study.studyId), de: de.toJSON() };
    return { studyId: study.studyId, state, de, transform };
  }

  private load(study: Study): Prepared | null {
    const generation = storedGeneration(study, KEY_STATE);
    if (generation === null) return null;
    if (this.cache && this.cache.studyId === study.studyId && this.cache.state.generation === generation) return this.cache;
    const state = loadChunkedState<SamplerState>(study, KEY_STATE);
    if (!state) return null;
    return { studyId: study.studyId, state, de: DifferentialEvolution.fromJSON(state.de), transform: new SearchSpaceTransform(spaceFromSignature(state.space), { categorical: 'onehot' }) };
  }
}

function signature(space: SearchSpace): string {
  return JSON.stringify(Object.entries(space).map(([name, d]) => [name, distributionToJson(d)]));
}

function spaceFromSignature(sig: string): SearchSpace {
  const space: SearchSpace = {};
  for (const [name, json] of JSON.parse(sig) as [string, ReturnType<typeof distributionToJson>][]) space[name] = distributionFromJson(json);
  return space;
}
