/**
 * The automatic sampler's rules: which of our samplers proposes the next trial, as a pure function
 * of the study's profile (profile.ts). Each threshold names the measurement behind it; the rules
 * and their figures are written up in docs/samplers.md ("auto") and docs/bench-auto.md.
 *
 * Background: OptunaHub's AutoSampler (optuna/optunahub-registry, package samplers/auto_sampler)
 * runs Optuna's GPSampler for a study's first trials on numeric spaces and hands over to TPE
 * (categorical or conditional spaces, and later trials), NSGA-II for several objectives. Ours is
 * set by our own benchmarks, where the samplers differ from Optuna's:
 *
 * - GP, single objective: at 100 trials our GP's regret against Optuna's default TPE is 0.07
 *   (rosenbrock10) to 0.88 (rastrigin8), and on mixed spaces with a categorical far below TPE's
 *   (docs/bench-bayesian.md, docs/bench-gp-mixed.md); on the IB grid it reaches the grid's best
 *   point by 300 trials in 4 of 5 seeds, every other sampler far from it (docs/bench-samplers.md).
 *   Its ask costs about 70 ms at 100 trials, 200 ms at 300 and 1 s at 1,000.
 * - multivariate TPE: 0.355 against Optuna's default TPE at 100 and 300 trials, at under 2 ms an
 *   ask at 1,000 trials: the sampler for long studies, where the GP's ask grows cubic.
 * - multivariate TPE with groups: models each set of co-occurring parameters jointly, the TPE for
 *   conditional spaces (the GP models only the parameters every trial has).
 * - several objectives: the GP (log EHVI) beats MO-TPE's 100-trial median in every seed on ZDT1,
 *   ZDT2 and DTLZ2, at 0.2-0.8 s an ask; MO-TPE beats NSGA-II at 100 and 300 trials on all three
 *   but ZDT2 @300 and stays cheap (docs/bench-multi-objective.md).
 */
import { type StudyProfile, isConditional } from './profile.js';

/** What the automatic sampler can hand a trial to; the value recorded in the trial (AUTO_SAMPLER_KEY). */
export type AutoChoice = 'gp' | 'tpe' | 'tpe-multivariate' | 'tpe-group';

export const AUTO_CHOICES: readonly AutoChoice[] = ['gp', 'tpe', 'tpe-multivariate', 'tpe-group'];

/**
 * The GP proposes a study's first this many finished trials, multivariate TPE the rest, whatever
 * the budget: the GP's lead is largest at small budgets, and past 100 trials its ask (70 ms,
 * growing cubic) costs more than TPE's (under 1 ms) for less gain. A known budget does not change
 * it: on the IB expanded space at 300 trials the hand-over at 100 (median best Sharpe 2.900 over
 * seeds 1..5) beat the GP throughout (2.863) at a third of its cost (docs/bench-auto.md).
 */
export const GP_TRIALS = 100;

/** The GP models at most this many parameters (its description: "up to ~20 numeric parameters"); beyond, multivariate TPE. */
export const GP_MAX_PARAMS = 20;

/**
 * The GP needs at least this share of the parameters in every trial: it models only those and
 * draws the others at random. The IB space (9 of 11 in every trial) passes this rule (where it is
 * searched without its declared TSL_SL <= TSL_TARGET rule, the GP is its best sampler); a space of
 * mostly conditional parameters goes to TPE with groups.
 */
export const GP_MIN_SHARED_SHARE = 2 / 3;

/**
 * Above this share of unordered categoricals the GP's Hamming kernel has little structure to
 * learn (Optuna's AutoSampler sends categorical spaces to TPE); at or below it the GP wins (mixed:
 * 1 of 6; IB: 3 of 11).
 */
export const GP_MAX_CATEGORICAL_SHARE = 1 / 2;

/** Several objectives: the GP for at most this many finished trials (measured at 100; 244-681 s a run at 300)... */
export const GP_MULTI_OBJECTIVE_TRIALS = 100;

/** ...and at most this many objectives: its hypervolume improvement's box decomposition grows steeply with them. */
export const GP_MAX_OBJECTIVES = 3;

export interface AutoDecision {
  readonly choice: AutoChoice;
  /** Why, in words, for messages and the documentation's table. */
  readonly reason: string;
}

/** The sampler for the next trial of a study with this profile. */
export function chooseSampler(p: StudyProfile): AutoDecision {
  const conditional = isConditional(p);
  const tpe: AutoChoice = conditional ? 'tpe-group' : 'tpe-multivariate';
  const gpSpace = gpSuitsSpace(p);
  if (p.objectives > 1) {
    if (gpSpace !== null) return { choice: 'tpe', reason: `${p.objectives} objectives, ${gpSpace}: MO-TPE` };
    if (p.objectives > GP_MAX_OBJECTIVES) return { choice: 'tpe', reason: `${p.objectives} objectives (more than ${GP_MAX_OBJECTIVES}): MO-TPE` };
    if (p.finished >= GP_MULTI_OBJECTIVE_TRIALS) return { choice: 'tpe', reason: `${p.objectives} objectives, ${p.finished} finished trials (GP up to ${GP_MULTI_OBJECTIVE_TRIALS}): MO-TPE` };
    return { choice: 'gp', reason: `${p.objectives} objectives, ${p.finished} finished trials: GP (log EHVI)` };
  }
  if (gpSpace !== null) return { choice: tpe, reason: `${gpSpace}: ${tpe}` };
  // Trials in parallel (p.running > 0) change nothing here: the GP counts running trials as
  // kriging believers and TPE as constant liars, so both spread parallel proposals. The GP's ask
  // runs in the main thread and holds a pool's workers back while it fits, but the GP phase is
  // bounded (GP_TRIALS asks, a few seconds): a parallel run is then no slower than a sequential
  // one, and keeps the GP's start (on the IB space at 100 trials the GP's median 1.36 against
  // TPE's 1.28, and 19 trials to the grid's top 1% against 29, docs/bench-samplers.md).
  if (p.finished < GP_TRIALS) return { choice: 'gp', reason: `${p.finished} finished trials (GP for the first ${GP_TRIALS}): GP` };
  return { choice: tpe, reason: `${p.finished} finished trials (the GP's ${GP_TRIALS} done): ${tpe}` };
}

/**
 * Null when the GP suits the space; else why not, in words.
 *
 * Constraints: a constraints function (infeasible trials after evaluation) changes nothing, both
 * samplers rank infeasible trials last (the GP as the worst value, TPE by violation) and the IB
 * space, whose minimum trade count is such a constraint, is where the GP does best when searched
 * without its declared rule. Constraints on the declared space do: a GP proposal that breaks one
 * is redrawn uniformly (the acquisition's maximiser would be the same point), while TPE proposes
 * the best of its candidates that satisfy them (samplers/tpe/valid-proposal.ts). The CLI's IB
 * study declares TSL_SL <= TSL_TARGET, and there TPE leads: median best Sharpe 2.50 against the
 * GP's 2.18 at 300 trials, seeds 1..10 (docs/bench-auto.md, section 3).
 */
function gpSuitsSpace(p: StudyProfile): string | null {
  if (p.spaceConstraints) return 'constraints on the declared space';
  if (p.params > GP_MAX_PARAMS) return `${p.params} parameters (GP up to ${GP_MAX_PARAMS})`;
  if (p.params > 0 && p.shared < GP_MIN_SHARED_SHARE * p.params) return `conditional space (${p.shared} of ${p.params} parameters in every trial)`;
  if (p.params > 0 && p.categorical > GP_MAX_CATEGORICAL_SHARE * p.params) return `${p.categorical} of ${p.params} parameters categorical`;
  return null;
}
