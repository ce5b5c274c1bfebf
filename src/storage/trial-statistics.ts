/**
 * Numbers over all of a study's trials without loading them: what the overfitting statistics
 * need of a study of millions of trials (the spread of its trials' Sharpe ratios, its best
 * trials). Each asks the store first (Storage.summarizeTrials, bestTrialIds: one SQL
 * statement in the SQL stores) and falls back on reading every trial.
 */
import type { FrozenTrial } from '../frozen-trial.js';
import type { NumberSummary, Storage, TrialNumberSource } from './storage.js';

function numberOf(t: FrozenTrial, of: TrialNumberSource): number | undefined {
  const v = of === 'value' ? t.values?.[0] : t.userAttrs[of.userAttr];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Count, sum and sum of squares of a number over the study's COMPLETE trials (finite values only). */
export function summarizeTrials(storage: Storage, studyId: number, of: TrialNumberSource): NumberSummary {
  const own = storage.summarizeTrials?.(studyId, of);
  if (own) return own;
  let count = 0;
  let sum = 0;
  let sumOfSquares = 0;
  for (const t of storage.getAllTrials(studyId, ['COMPLETE'])) {
    const x = numberOf(t, of);
    if (x === undefined) continue;
    count++;
    sum += x;
    sumOfSquares += x * x;
  }
  return { count, sum, sumOfSquares };
}

/** The sample variance of a summary's numbers (n - 1 in the denominator); NaN below two. */
export function summaryVariance(s: NumberSummary): number {
  if (s.count < 2) return Number.NaN;
  const mean = s.sum / s.count;
  return Math.max(0, (s.sumOfSquares - s.count * mean * mean) / (s.count - 1));
}

/** The `k` best COMPLETE trials by the first objective (finite values), best first (lower number first among equals). */
export function bestTrials(storage: Storage, studyId: number, k: number): FrozenTrial[] {
  const own = storage.bestTrialIds?.(studyId, k);
  if (own) return own.map((id) => storage.getTrial(id));
  const maximize = storage.getStudyDirections(studyId)[0] === 'maximize';
  return storage
    .getAllTrials(studyId, ['COMPLETE'])
    .filter((t) => numberOf(t, 'value') !== undefined)
    .sort((a, b) => (maximize ? b.values![0] - a.values![0] : a.values![0] - b.values![0]) || a.number - b.number)
    .slice(0, k);
}
