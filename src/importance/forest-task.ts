/**
 * What each thread of a forest fit does with one tree (forest-threads.ts): grow it from its seed
 * and, when asked, measure its variance decomposition (tree-variance.ts) right there, so the
 * per-tree step of fANOVA runs on every thread, not on this one after the forest; and keep the
 * tree only when the caller wants the trees themselves (moving them between threads costs a
 * copy of each node's category set).
 */
import type { RegressionTree } from './regression-tree.js';
import { type ForestJob, ForestGrower } from './tree-grower.js';
import { type FeatureDomain, type TreeVariance, TreeVarianceMeter } from './tree-variance.js';

/** A forest to grow: the job, one seed per tree, and what to return for each tree. */
export interface ForestTask extends ForestJob {
  readonly seeds: readonly number[];
  /** Measure each tree over these domains where it grew, or null for no measurement. */
  readonly domains: readonly FeatureDomain[] | null;
  /** Return each tree (false: only its variance). */
  readonly keepTrees: boolean;
}

/** One tree's result: the tree (when kept) and its variance (when measured). */
export interface GrownTree {
  readonly tree: RegressionTree | null;
  readonly variance: TreeVariance | null;
}

/**
 * Grows and measures the trees of one task, by index; its buffers are reused from tree to tree,
 * and a tree that is only measured is not even copied out of the grower's.
 */
export class ForestTaskRunner {
  private readonly grower: ForestGrower;
  private readonly meter: TreeVarianceMeter | null;

  constructor(private readonly task: ForestTask) {
    this.grower = new ForestGrower(task);
    this.meter = task.domains ? new TreeVarianceMeter(task.domains) : null;
  }

  run(t: number): GrownTree {
    const { keepTrees } = this.task;
    const tree = this.grower.tree(this.task.seeds[t], keepTrees);
    return { tree: keepTrees ? tree : null, variance: this.meter ? this.meter.measure(tree) : null };
  }
}
