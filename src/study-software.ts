/**
 * Which studyopt ran a study's trials, recorded with the study (system attribute
 * `studyopt:software`): a list of versions, each with the number of the first trial run under it,
 * appended whenever a run uses another version or Node. With the data fingerprint
 * (study-data.ts) and the stored settings, it lets `studyopt verify` say why a re-run differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Storage } from './storage/storage.js';

/** Study system attribute holding the software versions (a JSON list of {@link SoftwareVersion}). */
export const STUDY_SOFTWARE_KEY = 'studyopt:software';

export interface SoftwareVersion {
  readonly studyopt: string;
  readonly node: string;
  /** The trials numbered `firstTrial` and later ran under this version (until the next). */
  readonly firstTrial: number;
  readonly recordedAt: string;
}

/** This package's version, from its package.json (found above this file, in src/ or dist/src/). */
export const STUDYOPT_VERSION: string = findVersion();

function findVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'studyopt' && typeof pkg.version === 'string') return pkg.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

export function softwareVersionsOf(systemAttrs: Readonly<Record<string, unknown>>): SoftwareVersion[] {
  const stored = systemAttrs[STUDY_SOFTWARE_KEY];
  return Array.isArray(stored) ? stored.filter((v): v is SoftwareVersion => typeof v === 'object' && v !== null && typeof v.studyopt === 'string' && Number.isInteger(v.firstTrial)) : [];
}

/** The version trial `trialNumber` ran under, or null when the study recorded none for it. */
export function softwareOfTrial(systemAttrs: Readonly<Record<string, unknown>>, trialNumber: number): SoftwareVersion | null {
  let found: SoftwareVersion | null = null;
  for (const v of softwareVersionsOf(systemAttrs)) if (v.firstTrial <= trialNumber) found = v;
  return found;
}

/** Records that the study's next trials run under this studyopt and Node, unless they already do. */
export function recordSoftwareVersion(storage: Storage, studyId: number): void {
  const versions = softwareVersionsOf(storage.getStudySystemAttrs(studyId));
  const last = versions[versions.length - 1];
  if (last && last.studyopt === STUDYOPT_VERSION && last.node === process.version) return;
  const next: SoftwareVersion = { studyopt: STUDYOPT_VERSION, node: process.version, firstTrial: storage.getNTrials(studyId), recordedAt: new Date().toISOString() };
  storage.setStudySystemAttr(studyId, STUDY_SOFTWARE_KEY, [...versions, next]);
}
