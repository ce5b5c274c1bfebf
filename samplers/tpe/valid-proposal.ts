/**
 * TPE's proposal on a constrained declared space (src/space-constraints.ts): the whole point at
 * once, the best of TPE's candidates that satisfy the constraints.
 *
 * A constraint is a predicate on a complete point, so the parameters cannot be chosen one at a
 * time as independent TPE does (each parameter's best candidate by l(x)/g(x)). Worse, the ratio
 * itself leans towards the invalid region: every observed trial is valid, so g is thin there (on
 * `x <= y`, at high x and at low y), the per-parameter winners make an invalid point together,
 * and the study's redraws ended in uniform draws that the model never chose (38-58% of TPE's
 * trials on scripts/bench-space-constraints.ts). Here each candidate is a complete point, drawn
 * from l: per group of parameters modelled together (one parameter in independent mode, the joint
 * groups of multivariate TPE), the c-th draws of the groups form the c-th candidate, which is so a
 * draw from l, the product of the groups' estimators. Its score is the sum of the groups' log l -
 * log g, which is log l(x) - log g(x) of the product model (Watanabe 2023, eq. 5; Optuna's
 * multivariate TPE scores joint candidates the same way); the proposal is the best candidate that
 * satisfies the constraints, which is TPE's argmax of l/g over the valid region (restricting l and
 * g to it scales each by a constant). When no candidate is valid, more are drawn (ROUNDS, each
 * CANDIDATE_GROWTH times as many) before the best invalid one is handed to the study, which redraws.
 *
 * Choosing among whole candidates rather than among all combinations of the groups' candidates
 * (the best valid combination, which independent TPE's choice is without constraints) was measured
 * too: the combinations keep the invalid-leaning winners of single parameters and did worse on the
 * IB-like case (median best 8.7e-2 against 5.5e-2 over 30 seeds; docs/samplers.md).
 *
 * Decided values (an enqueued trial's) stay as given. A conditional parameter's score counts
 * whether or not its condition holds on the candidate: a draw from l scores KL(l‖g) >= 0 on
 * average, so counting only active parameters would favour points with more of them.
 */
import { type Distribution, type ParamValue, type SearchSpace, distributionsEqual } from '../../src/distributions.js';
import type { DeclaredSpace } from '../../src/search-space.js';
import { buildPoint, entryDistribution, satisfiesSpace } from '../../src/space-constraints.js';

/** Candidates of a group of parameters in external values, with TPE's score of each. */
export interface ScoredCandidates {
  /** values[j][c]: the value of the group's j-th parameter in candidate c. */
  readonly values: readonly (readonly ParamValue[])[];
  /** log l(x) - log g(x) of each candidate (Watanabe 2023, eq. 5). */
  readonly scores: ArrayLike<number>;
}

/** Where the candidates come from: the sampler's fitted estimators. */
export interface CandidateSource {
  /** `count` candidates of one parameter modelled on its own (c-th value and score at index c). */
  independent(name: string, distribution: Distribution, count: number): ScoredCandidates;
  /** `count` candidates of the parameters of `space` drawn jointly (in its key order). */
  joint(space: SearchSpace, count: number): ScoredCandidates;
}

export interface ValidProposalInput {
  readonly space: DeclaredSpace;
  /** Whether `name` has a decided value (enqueued), which the proposal keeps. */
  readonly isDecided: (name: string) => boolean;
  /** The decided value of `name` (called only where isDecided holds and the parameter is active). */
  readonly decidedValue: (name: string, distribution: Distribution) => ParamValue | undefined;
  /** Groups of parameters modelled jointly (multivariate TPE's relative search space); [] for independent TPE. */
  readonly jointSpaces: readonly SearchSpace[];
  readonly source: CandidateSource;
  /** Candidates per group in the first round (the sampler's nEiCandidates). */
  readonly nCandidates: number;
}

export interface ValidProposal {
  /** The complete point, in declaration order; valid unless `valid` is false. */
  readonly point: Record<string, ParamValue>;
  readonly valid: boolean;
}

/** Rounds of candidates before the best invalid point is handed over. */
export const ROUNDS = 3;
/** Each round draws this many times the previous round's candidates. */
export const CANDIDATE_GROWTH = 4;

interface Group {
  readonly names: string[];
  readonly space: SearchSpace;
  readonly joint: boolean;
}

/** The best valid point among TPE's candidates (see the file comment). */
export function proposeValidPoint(input: ValidProposalInput): ValidProposal {
  const { space, source } = input;
  const groups = planGroups(input);
  // Where each sampled parameter's value sits: its group and its place in the group.
  const where = new Map<string, [number, number]>();
  groups.forEach((g, gi) => g.names.forEach((name, j) => where.set(name, [gi, j])));
  let candidates: ScoredCandidates[] = [];
  const pointOf = (c: number): Record<string, ParamValue> =>
    buildPoint(space, (name, d) => {
      if (input.isDecided(name)) return input.decidedValue(name, d);
      const [g, j] = where.get(name)!;
      return candidates[g].values[j][c];
    });
  let bestInvalid = 0;
  let count = input.nCandidates;
  for (let round = 0; round < ROUNDS; round++, count *= CANDIDATE_GROWTH) {
    candidates = groups.map((g) => (g.joint ? source.joint(g.space, count) : source.independent(g.names[0], g.space[g.names[0]], count)));
    const scores = new Float64Array(count);
    for (const c of candidates) for (let i = 0; i < count; i++) scores[i] += c.scores[i];
    // Candidates by decreasing score, the earlier first on ties: the first valid one is the best.
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
    for (const c of order) {
      const point = pointOf(c);
      if (satisfiesSpace(space, point)) return { point, valid: true };
    }
    bestInvalid = order[0];
  }
  // No valid candidate: TPE's unconstrained choice of the last round, for the study to redraw.
  return { point: pointOf(bestInvalid), valid: false };
}

/**
 * The groups to sample: each joint space's declared, undecided parameters (with the declared
 * distribution), then every other undecided parameter on its own, in declaration order.
 */
function planGroups(input: ValidProposalInput): Group[] {
  const declared = new Map<string, Distribution>();
  for (const [name, entry] of Object.entries(input.space)) if (!input.isDecided(name)) declared.set(name, entryDistribution(entry));
  const groups: Group[] = [];
  const grouped = new Set<string>();
  for (const js of input.jointSpaces) {
    const sub: SearchSpace = {};
    for (const [name, d] of Object.entries(js)) {
      const dd = declared.get(name);
      if (dd !== undefined && !grouped.has(name) && distributionsEqual(dd, d)) {
        sub[name] = dd;
        grouped.add(name);
      }
    }
    const names = Object.keys(sub);
    if (names.length > 0) groups.push({ names, space: sub, joint: true });
  }
  for (const [name, d] of declared) if (!grouped.has(name)) groups.push({ names: [name], space: { [name]: d }, joint: false });
  return groups;
}
