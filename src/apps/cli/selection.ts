/**
 * `--select best|robust`: which trial a study's result is, its raw best or its robust pick (the
 * best neighbourhood-smoothed trial, src/validation/robust-pick.ts).
 */
import { UsageError } from '../../errors.js';

export const SELECTIONS = ['best', 'robust'] as const;
export type Selection = (typeof SELECTIONS)[number];

export function parseSelection(value: string | undefined): Selection {
  const v = value ?? 'best';
  if (!(SELECTIONS as readonly string[]).includes(v)) {
    throw new UsageError(`--select must be best (the highest value) or robust (the best neighbourhood-smoothed trial: a plateau, not a lone peak), but got '${v}'`);
  }
  return v as Selection;
}
