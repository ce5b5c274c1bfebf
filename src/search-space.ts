/**
 * Search spaces.
 *
 * The declared space and grids: what an objective says it searches (`DeclaredSpace`, conditional
 * parameters included) and the points of a grid (`GridSpec`, `Grid`). The executors read them from
 * objective modules and the grid sampler (samplers/grid.ts) walks them; they live here, in the
 * core, so that neither the executors nor the studies import a sampler.
 *
 * The intersection search space: the parameters that every finished trial of a study used, with
 * the same distribution. Joint (relative) samplers search this space; parameters outside it are
 * sampled independently, which is how define-by-run and conditional spaces keep working.
 */
import { type Distribution, type ParamValue, type SearchSpace, distributionsEqual } from './distributions.js';
import type { TrialState } from './frozen-trial.js';
import type { Study } from './study.js';

/** A grid that produces its points on demand, so that large grids need no list in memory. */
export interface Grid {
  readonly size: number;
  point(index: number): Readonly<Record<string, ParamValue>>;
}

export type GridSpec = Record<string, readonly ParamValue[]> | readonly Readonly<Record<string, ParamValue>>[] | Grid;

/** A search-space entry that exists only when `when(params so far)` holds. */
export interface ConditionalParam<D extends Distribution = Distribution> {
  distribution: D;
  when: (params: Readonly<Record<string, ParamValue>>) => boolean;
}

/**
 * Where a declared space keeps its constraints (src/space-constraints.ts): a symbol key, so that
 * `Object.entries(space)` still lists only parameters and every plain `DeclaredSpace` record
 * keeps working.
 */
export const SPACE_CONSTRAINTS: unique symbol = Symbol.for('studyopt.spaceConstraints');

/** A rule every point of a declared space must satisfy before it is evaluated; see space-constraints.ts. */
export type SpaceConstraint<P = Readonly<Record<string, ParamValue>>> = (point: P) => boolean;

/**
 * A declared search space, in declaration order; conditions may look at earlier parameters.
 * Constraints (optional, under SPACE_CONSTRAINTS) are predicates on complete points.
 */
export type DeclaredSpace = { [name: string]: Distribution | ConditionalParam } & { readonly [SPACE_CONSTRAINTS]?: readonly SpaceConstraint[] };

export class IntersectionSearchSpace {
  private readonly states: readonly TrialState[];
  private space: SearchSpace | null = null;
  private readonly seen = new Set<number>();
  private studyId: number | null = null;

  /** `includePruned`: PRUNED trials count as well as COMPLETE ones. */
  constructor(options: { includePruned?: boolean } = {}) {
    this.states = options.includePruned ? ['COMPLETE', 'PRUNED'] : ['COMPLETE'];
  }

  calculate(study: Study): SearchSpace {
    if (this.studyId !== study.studyId) {
      this.studyId = study.studyId;
      this.space = null;
      this.seen.clear();
    }
    for (const t of study.getTrials({ states: this.states })) {
      if (this.seen.has(t.trialId)) continue;
      this.seen.add(t.trialId);
      if (this.space === null) {
        this.space = { ...t.distributions };
        continue;
      }
      for (const name of Object.keys(this.space)) {
        const d = t.distributions[name];
        if (!d || !distributionsEqual(d, this.space[name])) delete this.space[name];
      }
    }
    // Sorted names make the joint samplers' column order independent of suggestion order.
    const out: SearchSpace = {};
    for (const name of Object.keys(this.space ?? {}).sort()) out[name] = this.space![name];
    return out;
  }
}
