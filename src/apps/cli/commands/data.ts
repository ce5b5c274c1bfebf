/**
 * `studyopt data import | info | generate`: prepare a symbol's M1 data cache (the IB study's
 * data), describe it, or fill it with deterministic synthetic data.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { loadCache, symbolCacheDir } from '../../../../studies/ib/data/cache.js';
import { CSV_FORMATS, type CsvFormat } from '../../../../studies/ib/data/csv-bars.js';
import { importFiles } from '../../../../studies/ib/data/import.js';
import { generateAndCache } from '../../../../studies/ib/data/store.js';
import { summarize } from '../../../../studies/ib/data/summary.js';
import { DEFAULT_SYNTHETIC_END, DEFAULT_SYNTHETIC_SEED, DEFAULT_SYNTHETIC_YEARS } from '../../../../studies/ib/data/synthetic.js';
import { getSymbol } from '../../../../studies/ib/symbols.js';
import { isValidTimeZone, isoToEpochDay } from '../../../../studies/ib/timezone.js';
import { inspectReplacement, replacementLines } from '../data-replacement.js';
import { DEFAULT_STORAGE } from './storage-options.js';

interface DataArgs {
  symbol: string;
  csv?: string[];
  format?: string;
  tz?: string;
  skipBadRows?: boolean;
  years?: number;
  seed?: number;
  end?: string;
  storage?: string;
  json?: boolean;
}

/** The study file whose studies `import` and `generate` check for use of the replaced data. */
const storageOption = {
  type: 'string',
  default: DEFAULT_STORAGE,
  describe: 'the study file whose studies are checked for use of the data being replaced',
} as const;

function print(json: boolean | undefined, value: object, lines: string[]): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${lines.join('\n')}\n`);
}

function summaryLines(s: ReturnType<typeof summarize>): string[] {
  return [
    `  bars:              ${s.bars.toLocaleString('en-US')}`,
    `  trading days:      ${s.tradingDays} (${s.daysWithoutIb} without IB bars)`,
    `  date range:        ${s.from ?? '-'} .. ${s.to ?? '-'} (local dates)`,
    `  intraday gaps:     ${s.intradayGaps} (${s.missingMinutes} minutes missing)`,
    `  missing weekdays:  ${s.missingWeekdays}`,
  ];
}

const importCommand: CommandModule<object, DataArgs> = {
  command: 'import',
  describe: 'convert M1 CSV (plain or .gz) or Parquet files into the symbol\'s binary cache',
  builder: (y: Argv) =>
    y
      .option('symbol', { type: 'string', demandOption: true, describe: 'symbol the data belongs to (GER40, XAUUSD, or one of symbols.json)' })
      .option('csv', { type: 'string', array: true, demandOption: true, describe: 'files or globs (*.csv, *.csv.gz, *.parquet)' })
      .option('format', { type: 'string', default: 'auto', choices: CSV_FORMATS as unknown as string[], describe: 'CSV layout' })
      .option('tz', { type: 'string', describe: 'time zone of naive times (default UTC; HistData files: America/New_York)' })
      .option('skip-bad-rows', { type: 'boolean', default: false, describe: 'skip and count bad rows instead of stopping at the first' })
      .option('storage', storageOption)
      .option('json', { type: 'boolean', default: false, describe: 'print the import report as JSON' }) as unknown as Argv<DataArgs>,
  handler: async (args) => {
    const spec = getSymbol(args.symbol);
    if (args.tz !== undefined && !isValidTimeZone(args.tz)) {
      throw new UsageError(`--tz ${JSON.stringify(args.tz)} is not a time zone; use an IANA name such as UTC or Europe/Berlin`);
    }
    const replacement = inspectReplacement(spec.name, args.storage ?? DEFAULT_STORAGE);
    const { data, report } = await importFiles(spec, args.csv ?? [], {
      format: (args.format ?? 'auto') as CsvFormat,
      timeZone: args.tz,
      skipBadRows: args.skipBadRows ?? false,
    });
    const s = summarize(data);
    print(args.json, { report, summary: s, replaced: replacement }, [
      ...replacementLines(replacement),
      `imported ${report.files.length} file(s) into ${symbolCacheDir(spec.name)}`,
      ...report.files.map((f) => `  ${f.file}: ${f.rows} rows (${f.format}, ${f.timeZone})${f.badRows ? `, ${f.badRows} bad rows skipped` : ''}`),
      `  rows read:         ${report.rowsRead.toLocaleString('en-US')}`,
      `  duplicates:        ${report.duplicates} (kept once)`,
      `  out of order:      ${report.outOfOrder} (sorted)`,
      `  bad rows skipped:  ${report.badRows}`,
      `  outside trading hours: ${report.outsideTradingHours}`,
      ...summaryLines(s),
    ]);
  },
};

const infoCommand: CommandModule<object, DataArgs> = {
  command: 'info',
  describe: 'describe a symbol\'s cached data: bars, trading days, range, gaps, duplicates, size',
  builder: (y: Argv) =>
    y
      .option('symbol', { type: 'string', demandOption: true, describe: 'symbol' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<DataArgs>,
  handler: async (args) => {
    const spec = getSymbol(args.symbol);
    const { data, report, bytes } = loadCache(spec);
    const s = summarize(data);
    const source =
      report.source === 'synthetic'
        ? `synthetic (seed ${report.synthetic?.seed}, ${report.synthetic?.years} years to ${report.synthetic?.end})`
        : `imported from ${report.files.length} file(s)`;
    print(args.json, { summary: s, report, cacheBytes: bytes, cacheDir: symbolCacheDir(spec.name) }, [
      `${spec.name} (${spec.timezone}; IB windows ${spec.ibWindows.join(', ')})`,
      `  source:            ${source}, ${report.createdAt}`,
      ...summaryLines(s),
      `  duplicates:        ${report.duplicates} dropped at import`,
      `  bad rows skipped:  ${report.badRows}`,
      `  cache:             ${symbolCacheDir(spec.name)} (${(bytes / 1e6).toFixed(1)} MB)`,
    ]);
  },
};

const generateCommand: CommandModule<object, DataArgs> = {
  command: 'generate',
  describe: 'write deterministic synthetic M1 data into the symbol\'s cache',
  builder: (y: Argv) =>
    y
      .option('symbol', { type: 'string', demandOption: true, describe: 'symbol' })
      .option('years', { type: 'number', default: DEFAULT_SYNTHETIC_YEARS, describe: 'length in years' })
      .option('seed', { type: 'number', default: DEFAULT_SYNTHETIC_SEED, describe: 'random seed' })
      .option('end', { type: 'string', default: DEFAULT_SYNTHETIC_END, describe: 'last date (YYYY-MM-DD)' })
      .option('storage', storageOption)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<DataArgs>,
  handler: async (args) => {
    const spec = getSymbol(args.symbol);
    const years = args.years ?? DEFAULT_SYNTHETIC_YEARS;
    const seed = args.seed ?? DEFAULT_SYNTHETIC_SEED;
    const end = args.end ?? DEFAULT_SYNTHETIC_END;
    if (!(years > 0 && years <= 50)) throw new UsageError(`--years must be a number in (0, 50], got ${args.years}`);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0, got ${args.seed}`);
    if (Number.isNaN(isoToEpochDay(end))) throw new UsageError(`--end ${JSON.stringify(end)} is not a date; use YYYY-MM-DD`);
    const replacement = inspectReplacement(spec.name, args.storage ?? DEFAULT_STORAGE);
    const { data } = generateAndCache(spec, { years, seed, end });
    const s = summarize(data);
    print(args.json, { summary: s, replaced: replacement }, [...replacementLines(replacement), `generated synthetic ${spec.name} into ${symbolCacheDir(spec.name)}`, ...summaryLines(s)]);
  },
};

const command: CommandModule<object, object> = {
  command: 'data <command>',
  describe: 'market data for the IB study: import, info, generate',
  builder: (y: Argv) => y.command(importCommand).command(infoCommand).command(generateCommand).demandCommand(1),
  handler: () => {},
};

export default command;
