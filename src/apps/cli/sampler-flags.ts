/**
 * Sampler options as CLI flags. Every option of every registered sampler becomes a kebab-case
 * flag (`--n-startup-trials`, `--multivariate`, `--restart-strategy`), so that `--help` lists
 * them and typos are caught; `--sampler-options '<json>'` takes the same options as JSON. A flag
 * that the chosen sampler does not have is an error, not silently ignored.
 */
import type { Options } from 'yargs';
import { UsageError } from '../../errors.js';
import { type SamplerOptionSpec, samplerEntry, samplerNames } from '../../../samplers/index.js';

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** All sampler option flags, merged across samplers (an option shared by several is one flag). */
export function samplerFlagDefinitions(): Record<string, Options> {
  const flags: Record<string, Options> = {};
  const owners = new Map<string, string[]>();
  const specs = new Map<string, SamplerOptionSpec>();
  for (const sampler of samplerNames()) {
    for (const [option, spec] of Object.entries(samplerEntry(sampler).options)) {
      owners.set(option, [...(owners.get(option) ?? []), sampler]);
      if (!specs.has(option)) specs.set(option, spec);
    }
  }
  for (const [option, spec] of specs) {
    const who = owners.get(option)!;
    flags[kebab(option)] = {
      type: spec.type === 'boolean' ? 'boolean' : spec.type === 'number' || spec.type === 'integer' ? 'number' : 'string',
      describe: `${spec.description} [${who.join(', ')}]`,
      group: 'Sampler options:',
    };
  }
  return flags;
}

/** The options for `sampler` from its flags and `--sampler-options` JSON (flags win). */
export function samplerOptionsFromArgv(sampler: string, argv: Record<string, unknown>, json: string | undefined): Record<string, unknown> {
  const entry = samplerEntry(sampler);
  let options: Record<string, unknown> = {};
  if (json !== undefined) {
    try {
      options = JSON.parse(json);
    } catch (e) {
      throw new UsageError(`--sampler-options must be a JSON object, e.g. '{"multivariate": true}': ${(e as Error).message}`);
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new UsageError(`--sampler-options must be a JSON object, e.g. '{"multivariate": true}', but got ${json}`);
    }
  }
  const allOptions = new Set(samplerNames().flatMap((n) => Object.keys(samplerEntry(n).options)));
  for (const option of allOptions) {
    const value = argv[option];
    if (value === undefined) continue;
    if (!(option in entry.options)) {
      throw new UsageError(`--${kebab(option)} is not an option of sampler '${sampler}'; its options are: ${Object.keys(entry.options).map((o) => `--${kebab(o)}`).join(', ') || 'none'}`);
    }
    const spec = entry.options[option];
    options[option] = spec.type === 'json' && typeof value === 'string' ? parseJsonFlag(option, value) : value;
  }
  return options;
}

function parseJsonFlag(option: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value; // a plain string is a valid JSON-typed option value too (e.g. a name)
  }
}
