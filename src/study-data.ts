/**
 * Which data a study's trials ran on, recorded with the study.
 *
 * An objective module that reads data (the IB backtest's candles) describes it with a
 * fingerprint: a line for people and a content hash. The study keeps the list of data versions
 * its trials ran on (system attribute `studyopt:data`), each with the number of the first trial
 * run on it. A run on data whose hash differs from the study's latest version is refused unless
 * the user accepts the change explicitly; then a new version is appended, so every trial can
 * still be traced to the data it ran on (`dataOfTrial`).
 */
import { UsageError } from './errors.js';
import type { Storage } from './storage/storage.js';

/** Study system attribute holding the data versions (a JSON list of {@link DataVersion}). */
export const STUDY_DATA_KEY = 'studyopt:data';

/** A description of the data an objective runs on. JSON-able. */
export interface DataFingerprint {
  /** One line for people: what, from where, which dates, how much. */
  readonly summary: string;
  /** Hex content hash: two fingerprints with the same hash describe the same data. */
  readonly hash: string;
  /** Further JSON-able fields (the IB study adds symbol, source, first, last, days, bars). */
  readonly [field: string]: unknown;
}

/** One data version of a study: the trials numbered `firstTrial` and later ran on it. */
export interface DataVersion {
  readonly fingerprint: DataFingerprint;
  readonly firstTrial: number;
  /** ISO time the version was recorded. */
  readonly recordedAt: string;
}

function isFingerprint(v: unknown): v is DataFingerprint {
  return typeof v === 'object' && v !== null && typeof (v as DataFingerprint).hash === 'string' && typeof (v as DataFingerprint).summary === 'string';
}

/** The study's data versions, oldest first (empty when none was recorded). */
export function dataVersionsOf(systemAttrs: Readonly<Record<string, unknown>>): DataVersion[] {
  const stored = systemAttrs[STUDY_DATA_KEY];
  if (!Array.isArray(stored)) return [];
  return stored.filter((v): v is DataVersion => typeof v === 'object' && v !== null && isFingerprint(v.fingerprint) && Number.isInteger(v.firstTrial));
}

/**
 * The data trial `trialNumber` ran on, or null when the study recorded none for it (trials of
 * studies made before data was recorded).
 */
export function dataOfTrial(systemAttrs: Readonly<Record<string, unknown>>, trialNumber: number): DataFingerprint | null {
  let found: DataFingerprint | null = null;
  for (const v of dataVersionsOf(systemAttrs)) if (v.firstTrial <= trialNumber) found = v.fingerprint;
  return found;
}

/** Short form of a hash for messages. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** "GER40: synthetic ..., 650 trading days (data 1a2b3c4d5e6f)" */
export function describeData(fp: DataFingerprint): string {
  return `${fp.summary} (data ${shortHash(fp.hash)})`;
}

/** What a run does when the data differs from the study's: refuse (the default) or accept it. */
export interface RecordDataOptions {
  /** Continue the study on the new data, recording a new data version. */
  acceptChange?: boolean;
  /** How the user accepts a change, named in the refusal (the CLI's flag). */
  acceptHint?: string;
}

export type DataCheck = 'recorded' | 'same' | 'changed';

/**
 * Records the data a run is about to use on the study, or checks it against what the study
 * recorded. Different data is refused with a UsageError naming both, unless `acceptChange`.
 */
export function recordStudyData(storage: Storage, studyId: number, studyName: string, fingerprint: DataFingerprint, options: RecordDataOptions = {}): DataCheck {
  const versions = dataVersionsOf(storage.getStudySystemAttrs(studyId));
  const latest = versions.at(-1);
  if (latest && latest.fingerprint.hash === fingerprint.hash) return 'same';
  const nextTrial = storage.getNTrials(studyId);
  if (latest && !options.acceptChange) {
    throw new UsageError(
      `study '${studyName}' ran ${nextTrial - latest.firstTrial === 1 ? 'a trial' : 'its trials'} on other data than this run would use:\n` +
        `  the study's data: ${describeData(latest.fingerprint)}\n` +
        `  this run's data:  ${describeData(fingerprint)}\n` +
        `continuing would mix results on different data. Start a new study (--fresh or another --study-name), ` +
        `restore the study's data, or accept the change${options.acceptHint ? ` with ${options.acceptHint}` : ''} (trials from #${nextTrial} on are then recorded as run on the new data)`,
    );
  }
  const version: DataVersion = { fingerprint, firstTrial: nextTrial, recordedAt: new Date().toISOString() };
  storage.setStudySystemAttr(studyId, STUDY_DATA_KEY, [...versions, version]);
  return latest ? 'changed' : 'recorded';
}
