/**
 * What `studyopt data import` / `data generate` replace: the symbol's data as it was, and the
 * stored studies whose trials ran on it (they will refuse to continue on the new data unless
 * told to: src/study-data.ts). Read before the cache is overwritten.
 */
import { existsSync } from 'node:fs';
import { dataVersionsOf, describeData } from '../../study-data.js';
import { isPostgresUrl } from '../../storage/postgres/url.js';
import { sqlitePathOf } from '../../storage/resolve.js';
import { openStorage, whereOf } from './commands/storage-options.js';
import { cacheExists } from '../../../studies/ib/data/cache.js';
import { ibDataFingerprint } from '../../../studies/ib/data/fingerprint.js';
import { loadSymbolData } from '../../../studies/ib/data/store.js';
import { ibSettingsOf } from '../../../studies/ib/study-settings.js';
import { getSymbol } from '../../../studies/ib/symbols.js';
import { ACCEPT_DATA_FLAG } from './cli-study.js';

export interface Replacement {
  /** The data as it was, in words (null: the symbol had none). */
  before: string | null;
  /** Studies of the study file whose latest trials ran on the replaced data. */
  studies: { name: string; trials: number }[];
  /** The study file looked at, or null when there is none. */
  storage: string | null;
}

/** Looks at the symbol's current data and at the study file's studies that used it. */
export function inspectReplacement(symbol: string, storage: string): Replacement {
  const spec = getSymbol(symbol);
  if (!cacheExists(spec.name)) return { before: null, studies: [], storage: null };
  const before = describeData(ibDataFingerprint(loadSymbolData(spec.name)));
  if (!isPostgresUrl(storage) && !existsSync(sqlitePathOf(storage) ?? storage)) return { before, studies: [], storage: null };
  const studies: Replacement['studies'] = [];
  const store = openStorage(storage);
  const path = whereOf(store);
  try {
    for (const s of store.getAllStudies()) {
      const attrs = store.getStudySystemAttrs(s.studyId);
      const settings = ibSettingsOf(attrs);
      const latest = dataVersionsOf(attrs).at(-1)?.fingerprint;
      if (!settings || settings.symbol !== spec.name || !latest) continue;
      // The study's fingerprint covers its own date range: compare over that range.
      let hash: string;
      try {
        hash = ibDataFingerprint(loadSymbolData(spec.name, { from: settings.from ?? undefined, to: settings.to ?? undefined })).hash;
      } catch {
        continue; // its range is not in the data at all: it did not run on this data
      }
      if (hash === latest.hash) studies.push({ name: s.studyName, trials: s.nTrials });
    }
  } finally {
    store.close();
  }
  return { before, studies, storage: path };
}

/** The lines that say what was replaced. */
export function replacementLines(r: Replacement): string[] {
  if (r.before === null) return [];
  const lines = [`replaced: ${r.before}`];
  if (r.studies.length > 0) {
    lines.push(`studies in ${r.storage} that ran on the replaced data: ${r.studies.map((s) => `${s.name} (${s.trials} trials)`).join(', ')}`);
    lines.push(`  continuing them on the new data is refused; ${ACCEPT_DATA_FLAG} continues them anyway, --fresh starts a new study`);
  } else if (r.storage !== null) {
    lines.push(`no study in ${r.storage} ran on the replaced data`);
  }
  return lines;
}
