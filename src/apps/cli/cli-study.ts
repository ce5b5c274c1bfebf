/**
 * Opening the study a CLI run works on: create it, or continue it after a crash or Ctrl-C.
 *
 * The CLI's study is identified by its name in the study file. Re-running the same command
 * continues it; what the study was created with (objective, symbol, grid, metric, date range,
 * sampler) is stored on it, and a run asking for something else is refused rather than mixed
 * into it. `--fresh` starts a new study under a new name (`<name>-2`, `<name>-3`, ...). The data
 * the objective runs on is recorded with the study too (src/study-data.ts): a run on other data
 * is refused, naming both, unless `--accept-new-data`; and so is the studyopt version that runs
 * its trials (src/study-software.ts).
 */
import { UsageError } from '../../errors.js';
import type { StudyDirection } from '../../frozen-trial.js';
import type { Pruner } from '../../pruners/pruner.js';
import type { Sampler } from '../../sampler.js';
import type { Storage } from '../../storage/storage.js';
import { type ConstraintsFunc, type Study, createStudy } from '../../study.js';
import { type DataCheck, type DataFingerprint, recordStudyData } from '../../study-data.js';
import { recordSoftwareVersion } from '../../study-software.js';
import type { DeclaredSpace } from '../../search-space.js';

/** Study system attribute holding the configuration a CLI study was created with. */
export const CLI_CONFIG_KEY = 'studyopt:config';
/** Study system attribute naming each objective (Optuna's `study.set_metric_names`). */
export const METRIC_NAMES_KEY = 'study:metric_names';

export interface CliStudyRequest {
  storage: Storage;
  studyName: string;
  fresh: boolean;
  direction: StudyDirection;
  /** Several objectives: their directions (instead of `direction`) and names (the study's metric names). */
  directions?: StudyDirection[];
  metricNames?: string[];
  sampler: Sampler;
  /** Stops unpromising trials early (not recorded: a resumed run may use another). */
  pruner?: Pruner;
  constraints?: ConstraintsFunc;
  /** The objective's declared search space (its constraints keep invalid points from running). */
  space?: DeclaredSpace;
  /** JSON-able description of what is optimised; must match on resume. */
  config: Record<string, unknown>;
  /**
   * Config keys recorded only since the feature they switch on was added: a stored configuration
   * without one was made without the feature (null), so asking for it on resume is a difference.
   * (Other keys missing from a stored configuration are settings recorded later: not a difference.)
   */
  offWhenAbsent?: readonly string[];
  /** The data the objective runs on; other data than the study's is refused unless `acceptDataChange`. */
  data?: DataFingerprint;
  acceptDataChange?: boolean;
}

export interface CliStudy {
  study: Study;
  /** True when the study existed and is being continued. */
  resumed: boolean;
  /** What the data check found: first recorded, the same as before, or a change the user accepted. */
  data: DataCheck | null;
}

/** The CLI flag that accepts a study's data change. */
export const ACCEPT_DATA_FLAG = '--accept-new-data';

export function openCliStudy(req: CliStudyRequest): CliStudy {
  let name = req.studyName;
  if (req.fresh) {
    for (let k = 2; req.storage.findStudyId(name) !== null; k++) name = `${req.studyName}-${k}`;
  }
  const existing = req.storage.findStudyId(name);
  let upgraded: Record<string, unknown> | null = null;
  if (existing !== null) {
    const stored = req.storage.getStudySystemAttrs(existing)[CLI_CONFIG_KEY] as Record<string, unknown> | undefined;
    if (stored !== undefined) {
      // Keys the stored configuration lacks were not recorded when the study was made: not a
      // difference, unless they switch on a feature the study was made without.
      const keys = [...Object.keys(stored), ...(req.offWhenAbsent ?? []).filter((k) => !(k in stored))];
      const diffs = keys.filter((k) => JSON.stringify(stored[k] ?? null) !== JSON.stringify(req.config[k] ?? null));
      if (diffs.length > 0) {
        const described = diffs.map((k) => describeDifference(k, stored[k], req.config[k]));
        // Long differences (a grid's value lists) usually follow from a short one (the grid's name): show the short ones when there are any.
        const short = described.filter((d) => !d.long);
        const detail = (short.length > 0 ? short : described).map((d) => d.text).join('; ');
        throw new UsageError(
          `study '${name}' was created for another search (${detail}): continue it with the same flags, or start a new one with --fresh or another --study-name`,
        );
      }
      if (Object.keys(req.config).some((k) => !(k in stored))) upgraded = { ...req.config, ...stored };
    }
  }
  const study = createStudy({
    studyName: name,
    ...(req.directions ? { directions: req.directions } : { direction: req.direction }),
    sampler: req.sampler,
    pruner: req.pruner,
    storage: req.storage,
    loadIfExists: true,
    constraints: req.constraints,
    space: req.space,
  });
  // Loading an existing study writes nothing, so a refusal here leaves the study as it was.
  const data = req.data ? recordStudyData(req.storage, study.studyId, name, req.data, { acceptChange: req.acceptDataChange, acceptHint: ACCEPT_DATA_FLAG }) : null;
  if (existing === null) study.setSystemAttr(CLI_CONFIG_KEY, req.config);
  if (existing === null && req.metricNames) study.setSystemAttr(METRIC_NAMES_KEY, req.metricNames);
  recordSoftwareVersion(req.storage, study.studyId);
  // A study made before some settings were recorded gets them now (today's, the best known).
  if (upgraded) study.setSystemAttr(CLI_CONFIG_KEY, upgraded);
  return { study, resumed: existing !== null, data };
}

/** One difference for the refusal: short values shown, long ones (a grid's value lists, a symbol's definition) named. */
function describeDifference(key: string, stored: unknown, asked: unknown): { text: string; long: boolean } {
  const a = JSON.stringify(stored ?? null);
  const b = JSON.stringify(asked ?? null);
  if (a.length + b.length <= 120) return { text: `${key}: stored ${a}, asked ${b}`, long: false };
  return { text: `${key} differ (stored ${a.length > 60 ? `${a.slice(0, 57)}...` : a})`, long: true };
}
