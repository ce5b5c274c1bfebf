/**
 * `studyopt trials --study-name X [--state complete] [--json | --csv]`: the trials of a study,
 * one row each (Optuna's trials_dataframe columns).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import {
  STATE_CHOICES,
  type StorageArgs,
  metricNames,
  openStorage,
  parseState,
  resolveStudy,
  STUDY_NAME_OPTION,
  toCsv,
  toJson,
  toTable,
  trialRows,
  withStorage,
} from './storage-options.js';

interface TrialsArgs extends StorageArgs {
  studyName?: string;
  state?: string;
  json: boolean;
  csv: boolean;
}

const command: CommandModule<object, TrialsArgs> = {
  command: 'trials',
  describe: 'list the trials of a study',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('state', { type: 'string', choices: STATE_CHOICES, describe: 'only trials in this state' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON (a list of rows)' })
      .option('csv', { type: 'boolean', default: false, describe: 'print CSV' })
      .check((argv) => {
        if (argv.json && argv.csv) throw new UsageError('give --json or --csv, not both');
        return true;
      }) as unknown as Argv<TrialsArgs>,
  handler: (argv: ArgumentsCamelCase<TrialsArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const { id, name } = resolveStudy(storage, argv.studyName);
      const state = parseState(argv.state);
      const directions = storage.getStudyDirections(id);
      const trials = storage.getAllTrials(id, state ? [state] : undefined);
      const { columns, rows } = trialRows(trials, directions, metricNames(storage.getStudySystemAttrs(id), directions.length));
      if (argv.json) process.stdout.write(`${toJson(rows)}\n`);
      else if (argv.csv) process.stdout.write(toCsv(columns, rows));
      else if (rows.length === 0) process.stdout.write(`no trials${state ? ` in state ${state}` : ''} in study '${name}'\n`);
      else process.stdout.write(toTable(columns.filter((c) => !c.startsWith('system_attrs_')), rows));
    } finally {
      storage.close();
    }
  },
};

export default command;
