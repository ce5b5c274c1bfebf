/**
 * What a sampler registers under its CLI name (samplers/index.ts): a description, the options it
 * accepts and a factory. Its own file so that the samplers' folders can describe their entries
 * without importing the registry that imports them.
 */
import type { Sampler } from '../src/sampler.js';
import type { GridSpec } from '../src/search-space.js';

export type OptionType = 'number' | 'integer' | 'boolean' | 'string' | 'json';

export interface SamplerOptionSpec {
  readonly type: OptionType;
  readonly description: string;
}

/** What a factory receives besides its own options. */
export interface SamplerContext {
  /** For the grid sampler: the grid of the objective (its declared space or explicit points). */
  grid?: GridSpec;
  /** For the grid sampler: hand out the points of failed trials again (default true). */
  retryFailed?: boolean;
}

export interface SamplerEntry {
  readonly description: string;
  readonly options: Readonly<Record<string, SamplerOptionSpec>>;
  create(options: Record<string, unknown>, context: SamplerContext): Sampler;
}
