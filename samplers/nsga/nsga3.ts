/**
 * NSGAIIISampler: NSGA-III (Deb & Jain 2014, IEEE TEC 18(4)) with Optuna's names and defaults:
 * survivors by non-dominated sorting, the last front cut by reference-point niching on Das-Dennis
 * points (dividingParameter 3), or on the reference points given. Meant for 3 or more objectives,
 * where crowding distance stops spreading the front; it runs with fewer too.
 */
import { UsageError } from '../../src/errors.js';
import type { Rng } from '../../src/rng.js';
import type { Individual } from './dominance.js';
import { selectNsga3 } from './elite-selection.js';
import { dasDennisPoints } from './reference-points.js';
import { GeneticSampler, type GeneticSamplerOptions } from './sampler.js';

export interface NSGAIIISamplerOptions extends GeneticSamplerOptions {
  /** Divisions per objective of the Das-Dennis reference points; default 3 (Optuna's). */
  dividingParameter?: number;
  /** Reference points (one per row, one value per objective, non-negative, not all zero) instead of Das-Dennis ones. */
  referencePoints?: number[][];
}

export class NSGAIIISampler extends GeneticSampler {
  readonly name = 'nsga3';
  private readonly dividingParameter: number;
  private readonly referencePoints: number[][] | undefined;

  constructor(options: NSGAIIISamplerOptions = {}) {
    super(options);
    const p = options.dividingParameter ?? 3;
    if (!Number.isInteger(p) || p < 1) throw new UsageError(`NSGA-III option 'dividingParameter' must be a positive integer, but got ${JSON.stringify(options.dividingParameter)}`);
    const refs = options.referencePoints;
    if (refs !== undefined) {
      const ok =
        Array.isArray(refs) &&
        refs.length > 0 &&
        refs.every((r) => Array.isArray(r) && r.length === refs[0].length && r.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0) && r.some((v) => v > 0));
      if (!ok) throw new UsageError("NSGA-III option 'referencePoints' must be a non-empty list of rows of equal length, each of non-negative numbers not all zero, e.g. [[1,0,0],[0,1,0],[0,0,1]]");
    }
    this.dividingParameter = p;
    this.referencePoints = refs?.map((r) => [...r]);
  }

  protected selectSurvivors(population: readonly Individual[], size: number, rng: Rng, nObjectives: number): number[] {
    if (this.referencePoints && this.referencePoints[0].length !== nObjectives) {
      throw new UsageError(`NSGA-III option 'referencePoints' has ${this.referencePoints[0].length} values per point but the study has ${nObjectives} objectives`);
    }
    return selectNsga3(population, size, this.referencePoints ?? dasDennisPoints(nObjectives, this.dividingParameter), rng);
  }
}
