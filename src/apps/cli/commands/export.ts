/**
 * `studyopt export [--study-name X] --format csv|json|parquet [--out F]`: every trial of a study as one
 * row with its parameters, values (metric names when the study has them), user attributes and
 * system attributes, in Optuna's trials_dataframe columns. The study name may be left out when the
 * file holds one study.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { isPostgresUrl } from '../../../storage/postgres/url.js';
import { sqlitePathOf } from '../../../storage/resolve.js';
import { exportParquet } from '../export/parquet-export.js';
import { STUDY_NAME_OPTION, type StorageArgs, metricNames, openStorage, resolveStudy, toCsv, toJson, trialRows, valueColumnNames, withStorage } from './storage-options.js';

interface ExportArgs extends StorageArgs {
  studyName?: string;
  format: 'csv' | 'json' | 'parquet';
  out?: string;
}

const command: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: 'export the trials of a study as CSV or JSON (one row per trial)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('format', { type: 'string', choices: ['csv', 'json', 'parquet'], demandOption: true, describe: 'csv, json, or parquet (a typed column per parameter, value and attribute; needs --out)' })
      .option('out', { type: 'string', describe: 'write to this file instead of stdout' }) as unknown as Argv<ExportArgs>,
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => {
    if (argv.format === 'parquet' && argv.out === undefined) throw new UsageError('--format parquet writes a binary file: give it with --out, e.g. --out trials.parquet');
    if (argv.out !== undefined) {
      const out = resolve(argv.out);
      if (!existsSync(dirname(out))) throw new UsageError(`--out: the folder of '${argv.out}' does not exist: create it or give another path`);
      if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out: '${argv.out}' is a folder: give a file name`);
      const studyFile = isPostgresUrl(argv.storage) ? null : resolve(sqlitePathOf(argv.storage) ?? argv.storage);
      if (out === studyFile) throw new UsageError(`--out '${argv.out}' is the study file itself: give another file name`);
    }
    const storage = openStorage(argv.storage);
    let table: ReturnType<typeof trialRows>;
    try {
      const { id } = resolveStudy(storage, argv.studyName);
      const directions = storage.getStudyDirections(id);
      const names = metricNames(storage.getStudySystemAttrs(id), directions.length);
      if (argv.format === 'parquet') {
        // Column by column: a grid of millions of trials is never a million trial objects.
        await exportParquet(argv.storage, storage, id, argv.out!, valueColumnNames(directions, names));
        return;
      }
      table = trialRows(storage.getAllTrials(id), directions, names);
    } finally {
      storage.close();
    }
    const text = argv.format === 'csv' ? toCsv(table.columns, table.rows) : `${toJson(table.rows)}\n`;
    if (argv.out === undefined) process.stdout.write(text);
    else writeFileSync(argv.out, text);
  },
};

export default command;
