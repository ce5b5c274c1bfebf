/**
 * Pruners by CLI name, with the options each accepts (camelCase, as the classes' options).
 * Options arrive as a loose record (flags, JSON); a typo or a wrong type is a UsageError that
 * names the input and lists what is accepted, not a silently ignored setting.
 */
import { UsageError } from '../errors.js';
import { HyperbandPruner } from './hyperband.js';
import { MedianPruner } from './median.js';
import { NopPruner, type Pruner } from './pruner.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';
import { WilcoxonPruner } from './wilcoxon.js';

export const PRUNER_NAMES = ['none', 'median', 'wilcoxon', 'successive-halving', 'hyperband'] as const;
export type PrunerName = (typeof PRUNER_NAMES)[number];

type OptionKind = 'integer' | 'number' | 'integer-or-auto';

interface PrunerEntry {
  options: Record<string, OptionKind>;
  create(options: Record<string, unknown>): Pruner;
}

const ENTRIES: Record<PrunerName, PrunerEntry> = {
  none: { options: {}, create: () => new NopPruner() },
  median: {
    options: { nStartupTrials: 'integer', nWarmupSteps: 'integer', intervalSteps: 'integer', nMinTrials: 'integer' },
    create: (o) => new MedianPruner(o),
  },
  wilcoxon: {
    options: { pThreshold: 'number', nStartupSteps: 'integer' },
    create: (o) => new WilcoxonPruner(o),
  },
  'successive-halving': {
    options: { minResource: 'integer-or-auto', reductionFactor: 'integer', minEarlyStoppingRate: 'integer', bootstrapCount: 'integer' },
    create: (o) => new SuccessiveHalvingPruner(o),
  },
  hyperband: {
    options: { minResource: 'integer', maxResource: 'integer-or-auto', reductionFactor: 'integer', bootstrapCount: 'integer' },
    create: (o) => new HyperbandPruner(o),
  },
};

/** Builds a pruner by CLI name; options left undefined take the pruner's defaults. */
export function createPruner(name: string, options: Record<string, unknown> = {}): Pruner {
  if (!Object.hasOwn(ENTRIES, name)) {
    throw new UsageError(`unknown pruner '${name}': choose one of ${PRUNER_NAMES.join(', ')}`);
  }
  const entry = ENTRIES[name as PrunerName];
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const kind = Object.hasOwn(entry.options, key) ? entry.options[key] : undefined;
    if (!kind) {
      const known = Object.keys(entry.options);
      throw new UsageError(`pruner '${name}' has no option '${key}'; ${known.length ? `its options are: ${known.join(', ')}` : 'it takes no options'}`);
    }
    checked[key] = checkOption(name, key, kind, value);
  }
  return entry.create(checked);
}

function checkOption(pruner: string, key: string, kind: OptionKind, value: unknown): unknown {
  const ok =
    kind === 'number'
      ? typeof value === 'number' && Number.isFinite(value)
      : Number.isInteger(value) || (kind === 'integer-or-auto' && value === 'auto');
  if (!ok) {
    const want = kind === 'number' ? 'a number' : kind === 'integer' ? 'an integer' : "an integer or 'auto'";
    throw new UsageError(`pruner '${pruner}' option '${key}' must be ${want}, but got ${JSON.stringify(value)}`);
  }
  return value;
}
