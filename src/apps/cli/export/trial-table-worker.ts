/**
 * A worker thread of the Parquet export (parallel-trial-table.ts): opens the study store read-only
 * on its own connection and reads the parts of a study's trials it is sent, as TrialTables whose
 * typed arrays move to the main thread without a copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveStorage } from '../../../storage/resolve.js';
import { readTrialTable } from '../../../storage/storage.js';
import type { TrialTable, TrialTablePart } from '../../../storage/trial-table.js';

const { storage: where, studyId } = workerData as { storage: string; studyId: number };
const storage = resolveStorage(where, { readonly: true });

/** The buffers of a table's typed arrays, to transfer rather than copy. */
function buffers(t: TrialTable): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>([t.number.buffer, t.datetimeStart.buffer, t.datetimeComplete.buffer] as ArrayBuffer[]);
  for (const c of [...t.values, ...t.params.values(), ...t.userAttrs.values(), ...t.systemAttrs.values()]) {
    if (c.kind === 'numbers') {
      out.add(c.data.buffer as ArrayBuffer);
      out.add(c.present.buffer as ArrayBuffer);
    }
  }
  return [...out];
}

parentPort!.on('message', (part: TrialTablePart) => {
  const table = readTrialTable(storage, studyId, part);
  parentPort!.postMessage({ index: part.index, table }, buffers(table));
});
