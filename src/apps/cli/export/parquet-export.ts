/**
 * `studyopt export --format parquet`: a study's trials as TrialTables, written to one Parquet
 * file (parquet-file.ts). A store that reads its trials in parts without trial objects (a compact
 * SQLite file) is read by worker threads, a part each at a time, on as many cores as there are,
 * while this thread writes the parts before them as row groups; any other store is read in this
 * thread. Should a part not fit the columns of the first (a parameter first seen there), the
 * file is written again from the whole table.
 */
import { availableParallelism } from 'node:os';
import { StatusLine } from '../../../progress.js';
import { type Storage, readTrialTable } from '../../../storage/storage.js';
import { storageUrl } from '../commands/storage-options.js';
import { TRIALS_PER_PART, readTrialTableParts } from './parallel-trial-table.js';
import { TrialParquetFile, writeTrialTableParquet } from './parquet-file.js';

/**
 * Writes study `studyId` of `storage` (opened from `where`, the --storage given) to `out`, read
 * in parts of about `trialsPerPart` trials.
 */
export async function exportParquet(where: string, storage: Storage, studyId: number, out: string, valueColumns: readonly string[], trialsPerPart = TRIALS_PER_PART): Promise<void> {
  const size = storage.getNTrials(studyId);
  const parts = Math.ceil(size / trialsPerPart);
  // Whether the store reads parts itself: asked for a tiny first part (its first trial id or so).
  const partsOfItsOwn = parts > 1 && storage.readTrialTable?.(studyId, { index: 0, of: size }) != null;
  if (!partsOfItsOwn) {
    writeTrialTableParquet(out, readTrialTable(storage, studyId), valueColumns);
    return;
  }
  const file = new TrialParquetFile(out, valueColumns);
  // On a terminal, how far the export is (a grid of millions of trials takes tens of seconds).
  const status = new StatusLine(process.stderr);
  let written = 0;
  for await (const part of readTrialTableParts(storageUrl(where), studyId, parts, availableParallelism())) {
    if (!file.append(part)) {
      status.finish(written, size, `export: a later part has other columns; writing all ${size} trials at once`);
      writeTrialTableParquet(out, readTrialTable(storage, studyId), valueColumns);
      return;
    }
    written += part.size;
    status.draw(written, size, `export: ${written} of ${size} trials written`);
  }
  file.finish();
  status.finish(written, size, `export: ${written} trials written to ${out}`);
}
