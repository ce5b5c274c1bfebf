/**
 * A trial's parameters as the CLI prints them. For an IB study these are the complete engine
 * parameters (the trial's own, completed by the study's settings), each not-searched one marked,
 * so that the printed set is exactly what `studyopt backtest --params` reproduces.
 */
import type { ParamValue } from '../../distributions.js';
import { type IbStudySettings, engineParamsOf } from '../../../studies/ib/study-settings.js';

/** A stored value as --json writes it: numbers in their shortest round-trip form, ±Infinity and NaN by name. */
export function exactText(v: unknown): string {
  const named = (x: unknown): unknown => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);
  return typeof v === 'number' ? String(named(v)) : JSON.stringify(v, (_k, x: unknown) => named(x));
}

export function paramLines(params: Readonly<Record<string, ParamValue>>, ib: IbStudySettings | null, indent = '  '): string[] {
  const shown: Readonly<Record<string, unknown>> = ib ? { ...engineParamsOf(ib, params) } : params;
  return Object.entries(shown).map(([k, v]) => {
    const note = k in params ? '' : `   (not searched: ${k === 'MIN_SL_PCT' ? `fixed by the ${ib!.grid} grid` : 'its condition is off'})`;
    return `${indent}${k} = ${exactText(v)}${note}`;
  });
}
