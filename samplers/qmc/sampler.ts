/**
 * QMCSampler: quasi-Monte Carlo search, each trial a point of a (scrambled) Sobol or Halton
 * sequence mapped into the search space. Spreads points more evenly than random search, which
 * pays off for small budgets, space-filling designs and smooth objectives; it never uses the
 * objective values.
 *
 * Search space: the intersection space of the finished trials (single-valued parameters left
 * out), through SearchSpaceTransform: log parameters on a log scale, int, stepped and ordinal
 * parameters rounded to their values (each owns an equal cell), and categoricals as one
 * coordinate split into equal cells, one per choice ('index' encoding), so that choices are
 * stratified like any other coordinate. The first trial (which fixes the space) and parameters
 * outside the space are sampled uniformly at random.
 *
 * Sequence index = trial number - the number of the first QMC trial, kept in the study system
 * attribute `qmc:state` with the space and the scrambling seed. Trial numbers are allocated by the
 * storage, so parallel workers get distinct points and a resumed study continues the sequence.
 *
 * A study with a constrained declared space (src/space-constraints.ts): the sequence covers the
 * declared space from the first trial on (conditional parameters are coordinates too, unused
 * where their condition is off), and the k-th QMC trial takes the k-th sequence point that
 * satisfies the constraints: invalid points are skipped, so which points run depends only on the
 * seed and the constraints, never on timing (parallel and resumed runs as above). A redraw
 * (enqueued values that make the point invalid) takes the next valid points.
 */
import { type Distribution, type ParamValue, type SearchSpace, cardinality, distributionToJson, enumerateValues } from '../../src/distributions.js';
import { UsageError } from '../../src/errors.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import type { Sampler } from '../../src/sampler.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import type { Study } from '../../src/study.js';
import { type DeclaredSpace } from '../../src/search-space.js';
import { MAX_REDRAWS, buildPoint, entryDistribution, isConstrained, redrawOf, satisfiesSpace } from '../../src/space-constraints.js';
import { SearchSpaceTransform } from '../../src/transform.js';
import { RandomSampler } from '../random.js';
import { HaltonSequence } from './halton.js';
import { SOBOL_MAX_DIM, SobolSequence } from './sobol.js';

export type QmcType = 'sobol' | 'halton';

export interface QMCSamplerOptions {
  /** Seed of the scrambling and of the independent sampler. */
  seed?: number;
  /** Randomise the sequence (Sobol: LMS + digital shift; Halton: digit permutations). Default true. */
  scramble?: boolean;
  /** Default 'sobol'. */
  qmcType?: QmcType;
}

interface QmcStudyState {
  /** Number of the trial that took point 0. */
  origin: number;
  space: string;
  seed: number;
  qmcType: QmcType;
  scramble: boolean;
}

const KEY_STATE = 'qmc:state';
const KEY_INDEX = 'qmc:index';

export class QMCSampler implements Sampler {
  readonly name = 'qmc';
  private readonly seed: number | undefined;
  private readonly scramble: boolean;
  private readonly qmcType: QmcType;
  private readonly independent: RandomSampler;
  private readonly searchSpace = new IntersectionSearchSpace();
  private cache: { key: string; sequence: SobolSequence | HaltonSequence; transform: SearchSpaceTransform } | null = null;
  /** For a constrained space: the sequence indices of its valid points found so far, in order. */
  private valid: { key: string; indices: number[]; scanned: number; exhausted: boolean } | null = null;

  constructor(options: QMCSamplerOptions = {}) {
    const type = options.qmcType ?? 'sobol';
    if (type !== 'sobol' && type !== 'halton') throw new UsageError(`qmc: qmcType must be 'sobol' or 'halton', but got '${type}'`);
    this.qmcType = type;
    this.scramble = options.scramble ?? true;
    this.seed = options.seed;
    this.independent = new RandomSampler({ seed: options.seed === undefined ? undefined : (options.seed ^ 0x0a5c) >>> 0 });
  }

  reseedRng(seed?: number): void {
    this.independent.reseedRng(seed);
  }

  inferRelativeSearchSpace(study: Study, _trial: FrozenTrial): SearchSpace {
    const out: SearchSpace = {};
    if (isConstrained(study.space)) {
      for (const [name, entry] of Object.entries(study.space)) if (cardinality(entryDistribution(entry)) > 1) out[name] = entryDistribution(entry);
      return out;
    }
    for (const [name, d] of Object.entries(this.searchSpace.calculate(study))) if (cardinality(d) > 1) out[name] = d;
    return out;
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    const sig = JSON.stringify(Object.entries(searchSpace).map(([n, d]) => [n, distributionToJson(d)]));
    let state = study.storage.getStudySystemAttrs(study.studyId)[KEY_STATE] as QmcStudyState | undefined;
    if (!state || state.space !== sig || state.qmcType !== this.qmcType || state.scramble !== this.scramble || (this.seed !== undefined && state.seed !== this.seed)) {
      // A new space or new settings: a new sequence, starting with this trial.
      state = {
        origin: trial.number,
        space: sig,
        seed: this.seed ?? Math.floor(Math.random() * 2 ** 31),
        qmcType: this.qmcType,
        scramble: this.scramble,
      };
      study.storage.setStudySystemAttr(study.studyId, KEY_STATE, state);
    }
    let index = trial.number - state.origin;
    if (index < 0) return {};
    const key = `${sig}|${state.seed}|${state.qmcType}|${state.scramble}`;
    if (!this.cache || this.cache.key !== key) {
      const transform = new SearchSpaceTransform(searchSpace, { categorical: 'index' });
      if (state.qmcType === 'sobol' && transform.dim > SOBOL_MAX_DIM) {
        throw new UsageError(`qmc: Sobol points have at most ${SOBOL_MAX_DIM} dimensions, but the search space has ${transform.dim}: use qmcType 'halton'`);
      }
      const sequence =
        state.qmcType === 'sobol'
          ? new SobolSequence(transform.dim, { scramble: state.scramble, seed: state.seed })
          : new HaltonSequence(transform.dim, { scramble: state.scramble, seed: state.seed });
      this.cache = { key, sequence, transform };
    }
    if (isConstrained(study.space)) {
      const valid = this.validIndex(study.space, key, index + redrawOf(trial));
      // Past MAX_REDRAWS invalid points in a row: nothing here; the study's rejection sampling
      // then fails the trial with the error that names the constraints.
      if (valid === null) return {};
      index = valid;
    }
    study.storage.setTrialSystemAttr(trial.trialId, KEY_INDEX, index);
    return this.cache.transform.decode(this.cache.sequence.point(index));
  }

  /**
   * The sequence index of the k-th point (from 0) that satisfies the constraints of `space`, or
   * null when MAX_REDRAWS points in a row break them. Parameters the sequence does not cover
   * (single-valued ones) take their only value.
   */
  private validIndex(space: DeclaredSpace, key: string, k: number): number | null {
    const { sequence, transform } = this.cache!;
    if (!this.valid || this.valid.key !== key) this.valid = { key, indices: [], scanned: 0, exhausted: false };
    const v = this.valid;
    let run = 0;
    while (v.indices.length <= k && !v.exhausted) {
      const values = transform.decode(sequence.point(v.scanned));
      const point = buildPoint(space, (name, d) => (name in values ? values[name] : enumerateValues(d, name)[0]));
      if (satisfiesSpace(space, point)) {
        v.indices.push(v.scanned);
        run = 0;
      } else if (++run > MAX_REDRAWS) {
        v.exhausted = true;
      }
      v.scanned++;
    }
    return k < v.indices.length ? v.indices[k] : null;
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.independent.sampleIndependent(study, trial, name, distribution);
  }
}
