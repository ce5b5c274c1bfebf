/**
 * TPE's proposal on a constrained declared space (src/space-constraints.ts): the whole point at
 * once, chosen by the model among points that satisfy the constraints.
 *
 * A constraint is a predicate on a complete point, so the parameters cannot be judged one at a
 * time as independent TPE chooses them (each parameter's best candidate by l(x)/g(x)). And that
 * choice leans towards the invalid region: every observed trial is valid, so g is thin there (on
 * `x <= y`, at high x and at low y), the per-parameter winners make an invalid point together,
 * and the study's redraws ended in uniform draws that the model never chose (38-79% of TPE's
 * trials on scripts/bench-space-constraints.ts).
 *
 * The rule here, per proposal: the candidates are drawn from l per group of parameters modelled
 * together (one parameter in independent mode, the joint groups of multivariate TPE), each scored
 * by log l - log g (Watanabe 2023, eq. 5).
 * 1. TPE's usual choice, each group's best candidate, when that point is valid: where the
 *    constraints do not bind, TPE behaves as without them.
 * 2. Otherwise the best valid complete candidate: the c-th draws of the groups form the c-th
 *    candidate, a draw from l (the product of the groups' estimators), scored by the sum of the
 *    groups' scores, which is log l(x) - log g(x) of the product model (as Optuna's multivariate
 *    TPE scores joint candidates). The best valid one is TPE's argmax of l/g over the valid region
 *    (restricting l and g to it scales each by a constant).
 * 3. When no candidate is valid, more are drawn (ROUNDS, each CANDIDATE_GROWTH times as many)
 *    before the best invalid one is handed to the study, which redraws.
 *
 * Two other rules were measured on the bench's IB case (docs/samplers.md, "Constraints before
 * evaluation"): step 2 alone did better for independent TPE but worse for multivariate TPE, whose
 * usual choice it gives up where the constraints do not bind; and in step 2 the best valid
 * combination of the groups' candidates (a best-first search over their product, which keeps the
 * invalid-leaning winners of single parameters) tied for independent TPE and was worse for
 * multivariate TPE.
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
  /** The point of candidate c, or with `perGroup`, of candidate perGroup[g] of each group g. */
  const pointOf = (c: number, perGroup?: Int32Array): Record<string, ParamValue> =>
    buildPoint(space, (name, d) => {
      if (input.isDecided(name)) return input.decidedValue(name, d);
      const [g, j] = where.get(name)!;
      return candidates[g].values[j][perGroup ? perGroup[g] : c];
    });
  let bestInvalid = 0;
  let count = input.nCandidates;
  for (let round = 0; round < ROUNDS; round++, count *= CANDIDATE_GROWTH) {
    candidates = groups.map((g) => (g.joint ? source.joint(g.space, count) : source.independent(g.names[0], g.space[g.names[0]], count)));
    if (round === 0) {
      // TPE's usual choice, each group's best candidate, wherever it is valid.
      const usual = pointOf(-1, Int32Array.from(candidates, (c) => argmax(c.scores)));
      if (satisfiesSpace(space, usual)) return { point: usual, valid: true };
    }
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
  // No valid candidate: the best of the last round, for the study to redraw.
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

/** The index of the largest value; the first on ties. */
function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}
