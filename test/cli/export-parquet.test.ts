/**
 * `studyopt export --format parquet`: one row per trial with the CSV/JSON columns, typed (numbers
 * as DOUBLE, the trial number as INT32, the dates as millisecond TIMESTAMPs, text as UTF-8,
 * booleans as BOOLEAN), nulls where a trial lacks a value; read back with hyparquet, it holds
 * what the JSON export holds.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parseLocal } from '../../src/storage/sql/encoding.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'studyopt-parquet-'));

describe('export --format parquet', () => {
  it('writes typed columns that read back as the JSON export', async () => {
    const db = join(dir, 'p.db');
    const study = createStudy({ storage: db, studyName: 'p', direction: 'maximize', sampler: new RandomSampler({ seed: 1 }) });
    await study.optimize((t) => {
      const x = t.suggestFloat('x', 0, 1);
      const kind = t.suggestCategorical('kind', ['a', 'b']);
      if (kind === 'a') t.suggestInt('n', 1, 5); // missing in half the trials: nulls
      t.setUserAttr('flag', x > 0.5);
      t.setUserAttr('curve', [x, 2 * x]);
      if (x < 0.1) throw new Error('low');
      return x;
    }, { nTrials: 60 });
    study.storage.close();
    const out = join(dir, 'p.parquet');
    const r = spawnSync(process.execPath, [BIN, 'export', '--storage', db, '--format', 'parquet', '--out', out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(spawnSync(process.execPath, [BIN, 'export', '--storage', db, '--format', 'json'], { encoding: 'utf8' }).stdout) as Record<string, unknown>[];
    const buf = readFileSync(out);
    const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const meta = parquetMetadata(file);
    expect(Number(meta.num_rows)).toBe(60);
    const types = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, `${s.type}${s.converted_type ? `/${s.converted_type}` : ''}`]));
    expect(types).toMatchObject({
      number: 'INT32',
      value: 'DOUBLE',
      datetime_start: 'INT64/TIMESTAMP_MILLIS',
      datetime_complete: 'INT64/TIMESTAMP_MILLIS',
      params_x: 'DOUBLE',
      params_kind: 'BYTE_ARRAY/UTF8',
      params_n: 'DOUBLE',
      user_attrs_flag: 'BOOLEAN',
      state: 'BYTE_ARRAY/UTF8',
    });
    // The columns of the CSV export, in its order.
    const csvHeader = spawnSync(process.execPath, [BIN, 'export', '--storage', db, '--format', 'csv'], { encoding: 'utf8' }).stdout.split('\n')[0];
    expect(Object.keys(types).join(',')).toBe(csvHeader);
    const rows = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    expect(rows).toHaveLength(60);
    for (const [i, row] of rows.entries()) {
      for (const [k, v] of Object.entries(json[i])) {
        if (k === 'user_attrs_curve') continue;
        // The JSON export writes the dates as Optuna stores them, naive local time.
        if (k.startsWith('datetime_')) expect(row[k]).toEqual(parseLocal(v as string));
        else expect(row[k] ?? null).toEqual(v);
      }
      expect(row.user_attrs_curve === null ? null : JSON.parse(row.user_attrs_curve as string)).toEqual(json[i].user_attrs_curve);
    }
    const bad = spawnSync(process.execPath, [BIN, 'export', '--storage', db, '--format', 'parquet'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format parquet writes a binary file: give it with --out/);
  });
});
