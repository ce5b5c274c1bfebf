/**
 * `studyopt trials [--study-name X] [--state complete] [--columns a,b] [--sort C [--asc|--desc]]
 * [--top N] [--json | --csv]`: the trials of a study, one row each (Optuna's trials_dataframe
 * columns).
 *
 * The text table fits the terminal (120 characters when stdout is not a terminal): whole columns
 * in the order number, value(s), state, params, user attributes (the IB study's metrics), then
 * duration and dates, and a last line that says how many were left out and how to see them.
 * System attributes are never in the table. --json and --csv give every column, unless --columns
 * names them; --columns also shows exactly the columns named in the table, whatever its width.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { type FrozenTrial, isFeasible } from '../../../frozen-trial.js';
import {
  STATE_CHOICES,
  STUDY_NAME_OPTION,
  type StorageArgs,
  compareCells,
  fitColumns,
  isEmptyCell,
  metricNames,
  openStorage,
  outputWidth,
  parseState,
  pickColumns,
  resolveColumn,
  resolveStudy,
  selectColumns,
  toCsv,
  toJson,
  toTable,
  trialRows,
  withStorage,
} from './storage-options.js';

interface TrialsArgs extends StorageArgs {
  studyName?: string;
  state?: string;
  columns?: string;
  sort?: string;
  asc: boolean;
  desc: boolean;
  top?: number;
  json: boolean;
  csv: boolean;
}

const command: CommandModule<object, TrialsArgs> = {
  command: 'trials',
  describe: 'list the trials of a study (the table fits the terminal; --columns, --sort, --top N)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('state', { type: 'string', choices: STATE_CHOICES, describe: 'only trials in this state' })
      .option('columns', {
        type: 'string',
        describe: 'these columns, in this order: names as shown (params_window) or without the params_/user_attrs_/values_ prefix (window)',
      })
      .option('sort', { type: 'string', describe: 'order the rows by this column: ascending, or best first for a value column (default: by number)' })
      .option('asc', { type: 'boolean', default: false, describe: 'with --sort or --top: ascending' })
      .option('desc', { type: 'boolean', default: false, describe: 'with --sort or --top: descending' })
      .option('top', {
        type: 'number',
        describe: 'only the N best complete trials, best first by the study direction (several objectives: by the first), or the first N by --sort',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON (a list of rows; every column unless --columns)' })
      .option('csv', { type: 'boolean', default: false, describe: 'print CSV (every column unless --columns)' })
      .check((argv) => {
        if (argv.json && argv.csv) throw new UsageError('give --json or --csv, not both');
        if (argv.asc && argv.desc) throw new UsageError('give --asc or --desc, not both');
        if ((argv.asc || argv.desc) && argv.sort === undefined && argv.top === undefined) {
          throw new UsageError(`--${argv.asc ? 'asc' : 'desc'} orders the rows of --sort <column> (or of --top N): give one of them`);
        }
        if (argv.top !== undefined && !(Number.isInteger(argv.top) && argv.top >= 1)) throw new UsageError(`--top must be a whole number of trials >= 1, but got ${argv.top}`);
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
      const valueColumns = columns.slice(1, 1 + directions.length);
      // Resolve the names first, so that a misspelt column is reported even on an empty study.
      const chosen = argv.columns === undefined ? null : selectColumns(argv.columns, columns);
      const sortColumn = argv.sort !== undefined ? resolveColumn(argv.sort, columns, '--sort') : argv.top !== undefined ? valueColumns[0] : null;

      let ranked = trials.map((t, i) => ({ trial: t, row: rows[i] }));
      if (argv.top !== undefined) ranked = ranked.filter((r) => r.trial.state === 'COMPLETE' && r.trial.values !== null);
      if (sortColumn !== null) {
        const objective = valueColumns.indexOf(sortColumn);
        // A value column sorts best first unless told otherwise; any other column ascending.
        const descending = argv.desc || (!argv.asc && objective >= 0 && directions[objective] === 'maximize');
        // Ranking best first by value: a feasible trial before any infeasible one (too few trades, say), as `best` never names those.
        const byFeasibility = objective >= 0 && descending === (directions[objective] === 'maximize');
        ranked = [...ranked].sort((a, b) => compareRanked(a, b, sortColumn, descending, byFeasibility));
      }
      if (argv.top !== undefined) ranked = ranked.slice(0, argv.top);
      const out = ranked.map((r) => r.row);

      if (argv.json) process.stdout.write(`${toJson(chosen ? pickColumns(out, chosen) : out)}\n`);
      else if (argv.csv) process.stdout.write(toCsv(chosen ?? columns, out));
      else if (out.length === 0) process.stdout.write(`no ${argv.top !== undefined ? 'complete ' : ''}trials${state ? ` in state ${state}` : ''} in study '${name}'\n`);
      else if (chosen) process.stdout.write(toTable(chosen, out));
      else process.stdout.write(fittedTable(columns, valueColumns, out));
    } finally {
      storage.close();
    }
  },
};

export default command;

function compareRanked(
  a: { trial: FrozenTrial; row: Record<string, unknown> },
  b: { trial: FrozenTrial; row: Record<string, unknown> },
  column: string,
  descending: boolean,
  byFeasibility: boolean,
): number {
  const va = a.row[column];
  const vb = b.row[column];
  const ea = isEmptyCell(va);
  const eb = isEmptyCell(vb);
  if (ea || eb) return ea === eb ? a.trial.number - b.trial.number : ea ? 1 : -1;
  if (byFeasibility) {
    const fa = isFeasible(a.trial);
    if (fa !== isFeasible(b.trial)) return fa ? -1 : 1;
  }
  const c = compareCells(va, vb);
  return (descending ? -c : c) || a.trial.number - b.trial.number;
}

/**
 * The default text table: the columns in order of interest (number, value(s), state, params,
 * user attributes, then duration and dates; never system attributes), as many whole ones as fit
 * the output's width, and a line saying what was left out and how to see it.
 */
function fittedTable(columns: readonly string[], valueColumns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const prefixed = (p: string): string[] => columns.filter((c) => c.startsWith(p));
  const order = ['number', ...valueColumns, 'state', ...prefixed('params_'), ...prefixed('user_attrs_'), 'duration', 'datetime_start', 'datetime_complete'];
  const width = outputWidth();
  const { shown, hidden } = fitColumns(order, rows, width, 2 + valueColumns.length);
  let text = toTable(shown, rows);
  if (hidden.length > 0) {
    const head = `${hidden.length} more column${hidden.length === 1 ? '' : 's'} (the table fits ${width} characters): `;
    const names = hidden.join(', ');
    const room = width - head.length;
    const cut = names.lastIndexOf(', ', room - 5);
    const list = names.length <= room ? names : `${cut > 0 ? names.slice(0, cut) : hidden[0]}, ...`;
    // The short form of a name where it is not ambiguous (--columns takes both).
    const short = (c: string): string => {
      const s = c.replace(/^(params_|user_attrs_|values_)/, '');
      return columns.filter((k) => k === s || k.replace(/^(params_|user_attrs_|values_|system_attrs_)/, '') === s).length === 1 ? s : c;
    };
    const example = [...shown.slice(0, 1 + valueColumns.length), hidden[0]].map(short).join(',');
    text +=
      `${head}${list}\n` +
      `show them with --columns (e.g. --columns ${example}) or --json / --csv\n`;
  }
  return text;
}
