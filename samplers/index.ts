/**
 * The sampler registry: CLI names to factories, with the options each accepts.
 *
 * Options arrive from the CLI as a loose record (flags and `--sampler-options '<json>'`); each
 * entry names its options so that a typo is an error, not a silently ignored setting.
 */
import { UsageError } from '../src/errors.js';
import { registryEntry as autoEntry } from './auto/index.js';
import { type Sampler, setDefaultSamplerFactory } from '../src/sampler.js';
import { registryEntry as cmaesEntry } from './cmaes/index.js';
import { registryEntry as deEntry } from './de/index.js';
import { GridSampler } from './grid.js';
import { registryEntry as gpEntry } from './gp/index.js';
import { nsga2Entry, nsga3Entry } from './nsga/index.js';
import { registryEntry as qmcEntry } from './qmc/index.js';
import { registryEntry as tpeEntry } from './tpe/index.js';
import { RandomSampler } from './random.js';
import type { SamplerContext, SamplerEntry, SamplerOptionSpec } from './entry.js';

export type { OptionType, SamplerContext, SamplerEntry, SamplerOptionSpec } from './entry.js';

const seedOption: SamplerOptionSpec = { type: 'integer', description: 'random seed (same seed, same parameters)' };

const registry = new Map<string, SamplerEntry>();

/** Adds a sampler under a CLI name; a name can be registered once. */
export function registerSampler(name: string, entry: SamplerEntry): void {
  if (registry.has(name)) throw new Error(`sampler '${name}' is already registered`);
  registry.set(name, entry);
}

export function samplerNames(): string[] {
  return [...registry.keys()];
}

export function samplerEntry(name: string): SamplerEntry {
  const entry = registry.get(name);
  if (!entry) throw new UsageError(`unknown sampler '${name}': choose one of ${samplerNames().join(', ')}`);
  return entry;
}

/** Builds a sampler by CLI name, checking its options against the entry's list. */
export function createSampler(name: string, options: Record<string, unknown> = {}, context: SamplerContext = {}): Sampler {
  const entry = samplerEntry(name);
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const spec = entry.options[key];
    if (!spec) {
      const known = Object.keys(entry.options);
      throw new UsageError(`sampler '${name}' has no option '${key}'${known.length ? `; its options are: ${known.join(', ')}` : ''}`);
    }
    checked[key] = checkOption(name, key, spec, value);
  }
  return entry.create(checked, context);
}

function checkOption(sampler: string, key: string, spec: SamplerOptionSpec, value: unknown): unknown {
  const bad = (want: string): never => {
    throw new UsageError(`sampler '${sampler}' option '${key}' must be ${want}, but got ${JSON.stringify(value)}`);
  };
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('a number');
      return value;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) bad('an integer');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') bad('true or false');
      return value;
    case 'string':
      if (typeof value !== 'string') bad('a string');
      return value;
    case 'json':
      return value;
  }
}

registerSampler('random', {
  description: 'independent uniform sampling (the baseline)',
  options: { seed: seedOption },
  create: (o) => new RandomSampler({ seed: o.seed as number | undefined }),
});

registerSampler('grid', {
  description: "exhaustive search over the objective's grid, each point once, in a seeded shuffled order",
  options: {
    seed: { type: 'integer', description: 'seed of the visiting order (default 42)' },
    maxRetries: { type: 'integer', description: 'how many more times a failed grid point is tried (default 1)' },
  },
  create: (o, context) => {
    if (!context.grid) throw new UsageError('the grid sampler needs a grid: this objective declares none');
    return new GridSampler(context.grid, { seed: o.seed as number | undefined, retryFailed: context.retryFailed, maxRetries: o.maxRetries as number | undefined });
  },
});

registerSampler('tpe', tpeEntry);
registerSampler('gp', gpEntry);
registerSampler('cmaes', cmaesEntry);
registerSampler('de', deEntry);
registerSampler('qmc', qmcEntry);
registerSampler('nsga2', nsga2Entry);
registerSampler('nsga3', nsga3Entry);
registerSampler('auto', autoEntry);

// The sampler a study gets when none is given: the automatic one (samplers/auto/; Optuna's is
// independent TPE, one option away: createStudy({ sampler: new TPESampler({ multivariate: false }) }).
setDefaultSamplerFactory(() => createSampler('auto'));

export { GridSampler, RandomSampler };
