/**
 * The generational machinery NSGA-II and NSGA-III share (their survivor selection differs:
 * elite-selection.ts), behind the study's sampler contract, parallel and resume safe.
 *
 * Generations: every trial claims a slot of the current generation G through the storage (as the
 * DE and CMA-ES samplers do, samplers/generation-slots.ts), and is tagged `<name>:generation` = G.
 * Generation 0 is a Latin hypercube over the parameters (option init 'lhs', the default; each
 * parameter's range cut into populationSize strata, one member per stratum), or uniform random
 * points (init 'random', Optuna's). When G has `populationSize` COMPLETE trials (failed and pruned
 * ones are replaced by more children, as in Optuna, where a generation is full when it has
 * population_size complete trials), the next ask selects the survivors among G's parents and G's
 * COMPLETE trials and starts G + 1. The state (generation, seed, the parents' trial numbers) is
 * JSON in study system attributes (`<name>:state`), so another process or a new Study object on
 * the same storage continues the same generation.
 *
 * Who breeds (option selection): by default ('steady-state') a generation's children that are
 * already COMPLETE compete with its parents, and each new child is bred from the best
 * populationSize of both (the same survivor selection as at a generation's end), as in the
 * steady-state NSGA-II of Durillo, Nebro, Luna & Alba 2009 ("On the effect of the steady-state
 * selection scheme in multi-objective genetic algorithms", EMO 2009), so a good child breeds at
 * once instead of a generation later: in a 100-trial study with population 50 it is the only
 * selection among the children at all. 'generational' is Deb's and Optuna's (parents only; a
 * seeded run is then reproducible also with several workers, where steady-state children depend on
 * which trials had finished). Measured in docs/bench-multi-objective.md.
 *
 * A child (Optuna's `NSGAIIChildGenerationStrategy`): with probability crossoverProb, crossover of
 * parents drawn by binary tournament, else a copy of a random parent; then each parameter is
 * "mutated" with probability mutationProb (default 1 / number of parameters): by leaving it to the
 * independent random sampler (mutation 'uniform', Optuna's), or for a numeric parameter by
 * polynomial mutation around the child's value (mutation 'polynomial', Deb's; mutation.ts). The tournament is Deb's crowded comparison (lower front first, then
 * larger crowding distance, Deb et al. 2002 section III-C); Optuna's compares by dominance only.
 * Numeric parameters (float, int, ordinal) cross over in SearchSpaceTransform's unit box (log
 * scale for log parameters); categoricals by uniform crossover with swappingProb. A child outside
 * the box is drawn again with new parents (Optuna's `perform_crossover`), at most 100 times, then
 * clipped. Each child's random stream is seeded from (seed, generation, slot), so a run with a
 * seed is reproducible and two processes never make the same child.
 *
 * Search space: the intersection space of the COMPLETE trials (single-valued parameters left out);
 * parameters outside it are sampled at random. Works for one objective too (crowding on one axis).
 * Constraints: the trials' `constraints` system attribute (stored by the study's constraints
 * function) through Deb's constrained domination (dominance.ts).
 */
import { GenerationSlots, SLOT_BASE, slotIndex } from '../generation-slots.js';
import { type Distribution, type ParamValue, type SearchSpace, cardinality } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { Rng } from '../../src/rng.js';
import type { Sampler } from '../../src/sampler.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import type { TrialClaim } from '../../src/storage/storage.js';
import type { Study } from '../../src/study.js';
import { redrawOf, redrawSeed } from '../../src/space-constraints.js';
import { SearchSpaceTransform, decodeNumeric, rawBounds } from '../../src/transform.js';
import { loadChunkedState, mixSeed, saveChunkedState, storedGeneration } from '../cmaes/stored-state.js';
import { RandomSampler } from '../random.js';
import { type Crossover, type CrossoverName, crossoverByName } from './crossover.js';
import { crowdingDistances } from './crowding-distance.js';
import { type Individual, individualOf } from './dominance.js';
import { type MutationName, checkMutationName, polynomialMutation } from './mutation.js';
import { nonDominatedFronts } from './non-dominated-sort.js';

export interface GeneticSamplerOptions {
  /** Individuals per generation; default 50 (Optuna's). At least 2, and at least the crossover's parent count. */
  populationSize?: number;
  /** Probability of leaving a parameter to the random sampler; default 1 / max(1, number of parameters). */
  mutationProb?: number;
  /** Crossover operator (default 'uniform'). */
  crossover?: CrossoverName;
  /** Probability that a child comes from crossover rather than a copy of one parent; default 0.9. */
  crossoverProb?: number;
  /** Uniform crossover's (and categoricals') probability of taking the second parent's value; default 0.5. */
  swappingProb?: number;
  /** Mutation of numeric parameters: 'uniform' (Optuna's: a draw over the whole range) or 'polynomial' (Deb's, around the parent's value). */
  mutation?: MutationName;
  /**
   * Who breeds a generation's children: the best of its parents and its children complete so far
   * ('steady-state', default), or its parents only ('generational', Deb's and Optuna's).
   */
  selection?: GeneticSelection;
  /** Generation 0: a Latin hypercube ('lhs', default) or uniform random points ('random', Optuna's). */
  init?: GeneticInit;
  seed?: number;
}

/** Who breeds a generation's children. */
export type GeneticSelection = 'generational' | 'steady-state';
export const GENETIC_SELECTIONS: readonly GeneticSelection[] = ['generational', 'steady-state'];

/** How generation 0 is drawn. */
export type GeneticInit = 'lhs' | 'random';
export const GENETIC_INITS: readonly GeneticInit[] = ['lhs', 'random'];

interface StoredState {
  version: 1;
  generation: number;
  seed: number;
  /** Trial numbers at or above this one may belong to the current generation. */
  firstNumber: number;
  /** The current generation's parents, as trial numbers (empty in generation 0). */
  parents: number[];
}

/** The parents of a generation as the tournament sees them. */
interface Parents {
  generation: number;
  /** Steady-state selection: how many of the generation's children were complete when the pool was drawn. */
  nChildren: number;
  trials: FrozenTrial[];
  /** Front number and crowding distance of each parent, for the crowded comparison. */
  rank: number[];
  crowding: number[];
}

const MAX_CROSSOVER_TRIES = 100;

/** A 32-bit FNV-1a hash of a parameter name, to seed its Latin-hypercube column. */
function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function checkProbability(name: string, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
    throw new UsageError(`NSGA sampler option '${name}' must be a probability between 0 and 1, but got ${JSON.stringify(value)}`);
  }
}

export abstract class GeneticSampler implements Sampler {
  abstract readonly name: string;
  readonly populationSize: number;
  protected readonly options: GeneticSamplerOptions;
  private readonly crossover: Crossover;
  private readonly independent: RandomSampler;
  private readonly searchSpace = new IntersectionSearchSpace();
  private readonly slots = new GenerationSlots();
  private state: { studyId: number; state: StoredState } | null = null;
  private parents: Parents | null = null;
  private readonly latinColumns = new Map<string, Int32Array>();

  constructor(options: GeneticSamplerOptions = {}) {
    const populationSize = options.populationSize ?? 50;
    if (!Number.isInteger(populationSize) || populationSize < 2) {
      throw new UsageError(`NSGA sampler option 'populationSize' must be an integer of at least 2, but got ${JSON.stringify(options.populationSize)}`);
    }
    checkProbability('mutationProb', options.mutationProb);
    checkProbability('crossoverProb', options.crossoverProb);
    checkProbability('swappingProb', options.swappingProb);
    if (options.init !== undefined && !GENETIC_INITS.includes(options.init)) {
      throw new UsageError(`NSGA sampler option 'init' must be one of ${GENETIC_INITS.join(', ')}, but got ${JSON.stringify(options.init)}`);
    }
    if (options.mutation !== undefined) checkMutationName(options.mutation);
    if (options.selection !== undefined && !GENETIC_SELECTIONS.includes(options.selection)) {
      throw new UsageError(`NSGA sampler option 'selection' must be one of ${GENETIC_SELECTIONS.join(', ')}, but got ${JSON.stringify(options.selection)}`);
    }
    if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new UsageError(`NSGA sampler option 'seed' must be an integer, but got ${JSON.stringify(options.seed)}`);
    this.crossover = crossoverByName(options.crossover ?? 'uniform', options.swappingProb ?? 0.5);
    if (populationSize < this.crossover.nParents) {
      throw new UsageError(`NSGA sampler: the '${this.crossover.name}' crossover needs ${this.crossover.nParents} parents, so 'populationSize' must be at least ${this.crossover.nParents}, but got ${populationSize}`);
    }
    this.populationSize = populationSize;
    this.options = { ...options };
    this.independent = new RandomSampler({ seed: options.seed === undefined ? undefined : mixSeed(options.seed, 2) });
  }

  /** The indices of the `size` survivors of `population` (the previous parents and their COMPLETE children). */
  protected abstract selectSurvivors(population: readonly Individual[], size: number, rng: Rng, nObjectives: number): number[];

  private get keys() {
    return { state: `${this.name}:state`, slot: `${this.name}:slot`, generation: `${this.name}:generation` };
  }

  reseedRng(seed?: number): void {
    this.independent.reseedRng(seed);
  }

  trialClaim(study: Study): TrialClaim | undefined {
    const state = this.prepare(study);
    return { key: this.keys.slot, candidates: this.slots.candidates(state.generation, this.populationSize), releaseStates: [] };
  }

  beforeTrial(study: Study, trial: FrozenTrial): void {
    const slot = trial.systemAttrs[this.keys.slot];
    if (typeof slot !== 'number') return;
    // The generation the slot was claimed in; a process that moved on in between tags the current one.
    const current = this.state && this.state.studyId === study.studyId ? this.state.state.generation : 0;
    study.storage.setTrialSystemAttr(trial.trialId, this.keys.generation, Math.max(Math.floor(slot / SLOT_BASE), current));
  }

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    const out: SearchSpace = {};
    for (const [name, d] of Object.entries(this.searchSpace.calculate(study))) if (cardinality(d) > 1) out[name] = d;
    return out;
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    const slot = trial.systemAttrs[this.keys.slot];
    const generation = trial.systemAttrs[this.keys.generation];
    if (typeof slot !== 'number' || typeof generation !== 'number' || generation === 0) return {};
    const parents = this.parentsOf(study, generation);
    if (!parents || parents.trials.length === 0) return {};
    const state = this.state!.state;
    // A redraw (a point the space constraints rejected) mixes the redraw counter in: another child.
    const rng = new Rng(redrawSeed(mixSeed(state.seed, generation, slotIndex(slot, generation, trial.number)), redrawOf(trial)));
    const child = rng.random() < (this.options.crossoverProb ?? 0.9) ? this.crossoverChild(study, parents, searchSpace, rng) : this.copyChild(parents, searchSpace, rng);
    const names = Object.keys(child);
    const mutationProb = this.options.mutationProb ?? 1 / Math.max(1, names.length);
    const polynomial = (this.options.mutation ?? 'uniform') === 'polynomial';
    const params: Record<string, ParamValue> = {};
    for (const name of names) {
      if (rng.random() >= mutationProb) params[name] = child[name];
      else if (polynomial && searchSpace[name].type !== 'categorical') params[name] = this.mutateNumeric(searchSpace[name], child[name], rng);
      // Else (uniform mutation, categoricals): left to the independent random sampler.
    }
    return params;
  }

  /** A numeric parameter's value moved by polynomial mutation in its raw (log for log parameters) interval. */
  private mutateNumeric(distribution: Distribution, value: ParamValue, rng: Rng): ParamValue {
    const [low, high] = rawBounds(distribution);
    const raw = new SearchSpaceTransform({ p: distribution }, { normalize: false }).encode({ p: value })[0];
    return decodeNumeric(distribution, polynomialMutation(raw, low, high, rng));
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    const stratum = this.initialStratum(study, trial);
    if (stratum === null || cardinality(distribution) <= 1) return this.independent.sampleIndependent(study, trial, name, distribution);
    const seed = this.state!.state.seed;
    const key = stringHash(name);
    // The parameter's coordinate: its stratum in this member's row of the Latin hypercube, at a
    // random place inside the stratum; then mapped as the QMC sampler maps unit coordinates.
    const u = (this.latinColumn(seed, key)[stratum] + new Rng(mixSeed(seed, 0x1a7e, key, stratum)).random()) / this.populationSize;
    const [low, high] = rawBounds(distribution);
    return decodeNumeric(distribution, low + u * (high - low));
  }

  /**
   * The member index of a generation-0 trial that takes a Latin-hypercube point (init 'lhs'), or
   * null: other generations, spare slots (replacements of failed trials, extra workers) and
   * redraws under space constraints are drawn at random.
   */
  private initialStratum(study: Study, trial: FrozenTrial): number | null {
    if ((this.options.init ?? 'lhs') !== 'lhs' || redrawOf(trial) > 0) return null;
    const slot = trial.systemAttrs[this.keys.slot];
    if (typeof slot !== 'number' || trial.systemAttrs[this.keys.generation] !== 0 || Math.floor(slot / SLOT_BASE) !== 0) return null;
    if (!this.state || this.state.studyId !== study.studyId) return null;
    const index = slotIndex(slot, 0, trial.number);
    return index < this.populationSize ? index : null;
  }

  /**
   * One column of the generation-0 Latin hypercube (McKay, Beckman & Conover 1979): the strata
   * 0..populationSize-1 in an order drawn from (seed, parameter), so each parameter's values
   * cover its range once per stratum, whatever process asks, and parameters pair at random.
   */
  private latinColumn(seed: number, key: number): Int32Array {
    const cacheKey = `${seed}:${key}`;
    let column = this.latinColumns.get(cacheKey);
    if (!column) {
      column = Int32Array.from({ length: this.populationSize }, (_, i) => i);
      const rng = new Rng(mixSeed(seed, 0x1a71, key));
      for (let i = column.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        const t = column[i];
        column[i] = column[j];
        column[j] = t;
      }
      this.latinColumns.set(cacheKey, column);
    }
    return column;
  }

  /** The stored state, advanced to the next generation when the current one is full. */
  private prepare(study: Study): StoredState {
    const keys = this.keys;
    let state = this.load(study);
    if (!state) {
      state = { version: 1, generation: 0, seed: this.options.seed ?? Math.floor(Math.random() * 2 ** 31), firstNumber: study.storage.getNTrials(study.studyId), parents: [] };
      saveChunkedState(study, keys.state, 0, state);
    }
    const trials = study.storage.getAllTrials(study.studyId);
    const complete = this.completeOf(study, trials, state);
    if (complete.length >= this.populationSize) {
      const pool = [...state.parents.map((n) => trials[n]).filter((t) => t !== undefined), ...complete];
      const individuals = pool.map((t) => individualOf(t, study.directions));
      const rng = new Rng(mixSeed(state.seed, state.generation, 0x5e1ec7));
      const survivors = this.selectSurvivors(individuals, this.populationSize, rng, study.directions.length);
      state = {
        version: 1,
        generation: state.generation + 1,
        seed: state.seed,
        firstNumber: trials.length,
        parents: survivors.map((i) => pool[i].number),
      };
      saveChunkedState(study, keys.state, state.generation, state);
    }
    this.state = { studyId: study.studyId, state };
    return state;
  }

  private load(study: Study): StoredState | null {
    const generation = storedGeneration(study, this.keys.state);
    if (generation === null) return null;
    if (this.state && this.state.studyId === study.studyId && this.state.state.generation === generation) return this.state.state;
    return loadChunkedState<StoredState>(study, this.keys.state);
  }

  /** The parents of `generation` with their front numbers and crowding distances; null when the state has moved past it. */
  private parentsOf(study: Study, generation: number): Parents | null {
    const steadyState = (this.options.selection ?? 'steady-state') === 'steady-state';
    const cached = this.parents && this.parents.generation === generation && this.state?.studyId === study.studyId ? this.parents : null;
    // A generation's parents alone are fixed: nothing to read again.
    if (cached && !steadyState) return cached;
    let state = this.state && this.state.studyId === study.studyId ? this.state.state : null;
    if (!state || state.generation !== generation) state = this.prepare(study);
    if (state.generation !== generation) return null;
    const trials = study.storage.getAllTrials(study.studyId);
    // Steady state: the generation's children that are complete already compete with their
    // parents for a place (Durillo, Nebro, Luna & Alba 2009, steady-state NSGA-II): the next
    // children are bred from the best of both. COMPLETE trials stay complete, so their count
    // identifies the pool.
    const children = steadyState ? this.completeOf(study, trials, state) : [];
    if (cached && cached.nChildren === children.length) return cached;
    let parents = state.parents.map((n) => trials[n]).filter((t) => t !== undefined && t.state === 'COMPLETE');
    if (children.length > 0) {
      const pool = [...parents, ...children];
      const rng = new Rng(mixSeed(state.seed, generation, 0x57ead, children.length));
      const survivors = this.selectSurvivors(pool.map((t) => individualOf(t, study.directions)), this.populationSize, rng, study.directions.length);
      parents = survivors.map((i) => pool[i]);
    }
    this.parents = { generation, nChildren: children.length, ...this.ranked(study, parents) };
    return this.parents;
  }

  /** Parent trials with their front numbers and crowding distances, for the tournament. */
  private ranked(study: Study, parents: FrozenTrial[]): Omit<Parents, 'generation' | 'nChildren'> {
    const individuals = parents.map((t) => individualOf(t, study.directions));
    const rank = new Array<number>(parents.length).fill(0);
    const crowding = new Array<number>(parents.length).fill(0);
    nonDominatedFronts(individuals).forEach((front, r) => {
      const distance = crowdingDistances(front.map((i) => individuals[i].values));
      front.forEach((i, k) => {
        rank[i] = r;
        crowding[i] = distance[k];
      });
    });
    return { trials: parents, rank, crowding };
  }

  /** The COMPLETE trials of the state's current generation (with a value per objective). */
  private completeOf(study: Study, trials: readonly FrozenTrial[], state: StoredState): FrozenTrial[] {
    const complete: FrozenTrial[] = [];
    for (let i = Math.max(0, state.firstNumber); i < trials.length; i++) {
      const t = trials[i];
      if (t.systemAttrs[this.keys.generation] === state.generation && t.state === 'COMPLETE' && t.values && t.values.length === study.directions.length) complete.push(t);
    }
    return complete;
  }

  /** Binary tournament by crowded comparison among the parents not yet taken. */
  private tournament(parents: Parents, exclude: ReadonlySet<number>, rng: Rng): number {
    const open: number[] = [];
    for (let i = 0; i < parents.trials.length; i++) if (!exclude.has(i)) open.push(i);
    const a = open[rng.int(0, open.length - 1)];
    const b = open[rng.int(0, open.length - 1)];
    if (parents.rank[a] !== parents.rank[b]) return parents.rank[a] < parents.rank[b] ? a : b;
    return parents.crowding[a] > parents.crowding[b] ? a : b;
  }

  private copyChild(parents: Parents, space: SearchSpace, rng: Rng): Record<string, ParamValue> {
    const parent = parents.trials[rng.int(0, parents.trials.length - 1)];
    const child: Record<string, ParamValue> = {};
    for (const name of Object.keys(space)) if (name in parent.params) child[name] = parent.params[name];
    return child;
  }

  private crossoverChild(study: Study, parents: Parents, space: SearchSpace, rng: Rng): Record<string, ParamValue> {
    const numeric: SearchSpace = {};
    const categorical: string[] = [];
    for (const [name, d] of Object.entries(space)) {
      if (d.type === 'categorical') categorical.push(name);
      else numeric[name] = d;
    }
    const transform = Object.keys(numeric).length > 0 ? new SearchSpaceTransform(numeric, { categorical: 'exclude' }) : null;
    const nParents = Math.min(this.crossover.nParents, parents.trials.length);
    const swappingProb = this.options.swappingProb ?? 0.5;
    for (let attempt = 0; ; attempt++) {
      const taken = new Set<number>();
      const chosen: FrozenTrial[] = [];
      for (let k = 0; k < nParents; k++) {
        const i = this.tournament(parents, taken, rng);
        taken.add(i);
        chosen.push(parents.trials[i]);
      }
      const child: Record<string, ParamValue> = {};
      // Categoricals from the first and last parent, as Optuna's inlined uniform crossover.
      const last = chosen[chosen.length - 1];
      for (const name of categorical) child[name] = rng.random() >= swappingProb ? last.params[name] : chosen[0].params[name];
      if (!transform) return child;
      const x = chosen.length < this.crossover.nParents ? transform.encode(chosen[0].params) : this.crossover.cross(chosen.map((t) => transform.encode(t.params)), rng, transform.lower, transform.upper, study.isMultiObjective);
      let inside = true;
      for (let i = 0; i < x.length; i++) if (!(x[i] >= transform.lower[i] && x[i] <= transform.upper[i])) inside = false;
      if (!inside && attempt < MAX_CROSSOVER_TRIES) continue;
      for (let i = 0; i < x.length; i++) x[i] = Math.min(transform.upper[i], Math.max(transform.lower[i], Number.isFinite(x[i]) ? x[i] : 0.5));
      return { ...child, ...transform.decode(x) };
    }
  }
}
