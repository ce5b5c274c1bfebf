/**
 * The group-decomposed search space (Optuna's `_GroupDecomposedSearchSpace`): the parameters of
 * a study split into groups that always appear together. In a conditional space such as
 * `classifier = svm -> {C, gamma}; classifier = forest -> {depth, n}` the groups are
 * {classifier}, {C, gamma} and {depth, n}, and multivariate TPE with `group` models each group
 * jointly over the trials that have it, instead of only the few parameters every trial shares.
 */
import type { SearchSpace } from '../../src/distributions.js';
import type { Study } from '../../src/study.js';

export class GroupDecomposedSearchSpace {
  private groups: SearchSpace[] = [];
  private readonly seen = new Set<number>();
  private studyId: number | null = null;

  /** The groups, each with its names sorted, over COMPLETE and PRUNED trials. */
  calculate(study: Study): SearchSpace[] {
    if (this.studyId !== study.studyId) {
      this.studyId = study.studyId;
      this.groups = [];
      this.seen.clear();
    }
    for (const t of study.getTrials({ states: ['COMPLETE', 'PRUNED'] })) {
      if (this.seen.has(t.trialId)) continue;
      this.seen.add(t.trialId);
      this.add(t.distributions);
    }
    return this.groups.map((g) => {
      const out: SearchSpace = {};
      for (const name of Object.keys(g).sort()) out[name] = g[name];
      return out;
    });
  }

  /** Splits every group by whether the new trial has its parameters; new names form a group. */
  private add(distributions: SearchSpace): void {
    const fresh = new Set(Object.keys(distributions));
    const next: SearchSpace[] = [];
    for (const group of this.groups) {
      const inside: SearchSpace = {};
      const outside: SearchSpace = {};
      for (const name of Object.keys(group)) {
        if (fresh.has(name)) {
          inside[name] = distributions[name];
          fresh.delete(name);
        } else outside[name] = group[name];
      }
      next.push(inside, outside);
    }
    const rest: SearchSpace = {};
    for (const name of fresh) rest[name] = distributions[name];
    next.push(rest);
    this.groups = next.filter((g) => Object.keys(g).length > 0);
  }
}
