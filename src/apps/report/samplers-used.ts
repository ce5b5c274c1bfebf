/**
 * The report's "Samplers" table: which sampler proposed how many trials of a study, recorded by
 * the automatic sampler in each trial (`studyopt:sampler`, samplers/auto/), with the trial
 * numbers each covered and the best value among its trials. A study run with one named sampler
 * records nothing, and the table is left out.
 */
import { AUTO_SAMPLER_KEY } from '../../../samplers/auto/index.js';
import { type FrozenTrial, type StudyDirection, isFeasible } from '../../frozen-trial.js';
import { formatNumber } from '../cli/commands/storage-options.js';
import { escapeHtml } from './escape.js';
import { htmlTable } from './page.js';

interface SamplerUse {
  trials: number;
  first: number;
  last: number;
  best: number | null;
}

/**
 * The table's HTML, or '' when no trial names its sampler. `direction`: the first objective's,
 * for the best value (null for several objectives: no best column). `drawn`: the trials are a
 * sample of a bigger study, named so in the lead line.
 */
export function samplersUsedHtml(trials: readonly FrozenTrial[], direction: StudyDirection | null, drawn?: string): string {
  const uses = new Map<string, SamplerUse>();
  for (const t of trials) {
    const by = t.systemAttrs[AUTO_SAMPLER_KEY];
    if (typeof by !== 'string') continue;
    const u = uses.get(by) ?? { trials: 0, first: t.number, last: t.number, best: null };
    u.trials++;
    u.first = Math.min(u.first, t.number);
    u.last = Math.max(u.last, t.number);
    const v = t.state === 'COMPLETE' && isFeasible(t) ? t.values?.[0] : undefined;
    if (direction !== null && v !== undefined && (u.best === null || (direction === 'maximize' ? v > u.best : v < u.best))) u.best = v;
    uses.set(by, u);
  }
  if (uses.size === 0) return '';
  const rows = [...uses].sort((a, b) => a[1].first - b[1].first).map(([name, u]) => [name, u.trials, `#${u.first}–#${u.last}`, ...(direction !== null ? [u.best === null ? '—' : formatNumber(u.best)] : [])]);
  const columns = ['sampler', 'trials', 'trial numbers', ...(direction !== null ? ['best feasible value'] : [])];
  const lead = `The automatic sampler chose, trial by trial, which sampler proposed it (docs/samplers.md, "auto")${drawn ? `; counted among the trials drawn ${drawn}` : ''}.`;
  return `<h3>Samplers</h3><p class="intro">${escapeHtml(lead)}</p>${htmlTable(columns, rows, { className: (_r, c) => (c === 0 || c === 2 ? 'text' : undefined) })}`;
}
