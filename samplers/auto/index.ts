/**
 * The automatic sampler and its CLI registry entry (`--sampler auto`, the default).
 */
import type { SamplerEntry } from '../entry.js';
import { AutoSampler } from './sampler.js';

export { AUTO_SAMPLER_KEY, AutoSampler, type AutoSamplerOptions, recordedChoice } from './sampler.js';
export {
  AUTO_CHOICES,
  type AutoChoice,
  type AutoDecision,
  GP_MAX_CATEGORICAL_SHARE,
  GP_MAX_OBJECTIVES,
  GP_MAX_PARAMS,
  GP_MIN_SHARED_SHARE,
  GP_MULTI_OBJECTIVE_TRIALS,
  GP_TRIALS,
  chooseSampler,
} from './rules.js';
export { type StudyProfile, StudyProfiler, isConditional } from './profile.js';

export const registryEntry: SamplerEntry = {
  description:
    'chooses per trial between gp and multivariate tpe by the space, the objectives and the size of the study (the default; docs/samplers.md); records the choice in each trial',
  options: {
    seed: { type: 'integer', description: 'random seed (same seed, same parameters)' },
  },
  create: (o) => new AutoSampler({ seed: o.seed as number | undefined }),
};
