/**
 * The Parquet export of a study read in parts by worker threads (export/parquet-export.ts):
 * the file holds exactly what the export of the whole table in one piece holds, also when a
 * later part has a parameter the first did not (the file is then written again from the whole
 * table). Runs the built code (dist/), whose worker script is JavaScript.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution } from '../../src/distributions.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const DIST = new URL('../../dist/src/', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'studyopt-parquet-parts-'));

async function rows(path: string): Promise<Record<string, unknown>[]> {
  const buf = readFileSync(path);
  return (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as Record<string, unknown>[];
}

/** A study of `n` trials; from trial `lateFrom` on they also have a parameter 'late'. */
function build(path: string, n: number, lateFrom: number): number {
  const s = new SqliteStorage(path);
  const id = s.createStudy('s', ['minimize']);
  const other = s.createStudy('other', ['minimize']);
  const x = floatDistribution(0, 1);
  const kind = categoricalDistribution(['a', 'b', 7]);
  for (let i = 0; i < n; i++) {
    const params: Record<string, { internal: number; distribution: typeof x | typeof kind }> = { x: { internal: (i * 0.37) % 1, distribution: x }, kind: { internal: i % 3, distribution: kind } };
    if (i >= lateFrom) params.late = { internal: 0.5, distribution: x };
    s.createTrial(id, { state: i % 9 === 4 ? 'FAIL' : 'COMPLETE', params, values: i % 9 === 4 ? null : [i / 7], userAttrs: { m: i % 5 === 0 ? NaN : i, note: `t${i}` }, systemAttrs: { grid_id: i } });
    if (i % 4 === 0) s.createTrial(other, { state: 'COMPLETE', values: [i] });
  }
  s.close();
  return id;
}

describe('Parquet export in parts', () => {
  it('writes what the whole table gives, part after part, and again whole when a part does not fit', async () => {
    const { exportParquet } = (await import(`${DIST}apps/cli/export/parquet-export.js`)) as typeof import('../../src/apps/cli/export/parquet-export.js');
    const { writeTrialTableParquet } = (await import(`${DIST}apps/cli/export/parquet-file.js`)) as typeof import('../../src/apps/cli/export/parquet-file.js');
    const { readTrialTable } = (await import(`${DIST}storage/storage.js`)) as typeof import('../../src/storage/storage.js');
    for (const [name, lateFrom] of [['fits', 0], ['late-parameter', 45]] as const) {
      const db = join(dir, `${name}.db`);
      const id = build(db, 60, lateFrom);
      const storage = new SqliteStorage(db, { readonly: true });
      const whole = join(dir, `${name}-whole.parquet`);
      writeTrialTableParquet(whole, readTrialTable(storage, id), ['value']);
      const inParts = join(dir, `${name}-parts.parquet`);
      await exportParquet(db, storage, id, inParts, ['value'], 7);
      storage.close();
      const expected = await rows(whole);
      expect(expected).toHaveLength(60);
      expect(await rows(inParts)).toEqual(expected);
    }
  });
});
