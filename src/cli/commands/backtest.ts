/**
 * `studyopt backtest`: one IB parameter set over a symbol's data, printing metrics and trades.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadSymbolData } from '../../../studies/ib/data/store.js';
import { IbEngine } from '../../../studies/ib/engine/engine.js';
import { resolveParams } from '../../../studies/ib/params.js';
import { epochDayToIso } from '../../../studies/ib/timezone.js';

interface BacktestArgs {
  symbol: string;
  params: string;
  from?: string;
  to?: string;
  json: boolean;
  balance: number;
  risk: number;
}

const iso = (minute: number) => new Date(minute * 60_000).toISOString();

const command: CommandModule<object, BacktestArgs> = {
  command: 'backtest',
  describe: 'run one IB parameter set and print its metrics and trade list',
  builder: (y: Argv) =>
    y
      .option('symbol', { type: 'string', default: 'GER40', describe: 'symbol (built-in synthetic data unless imported)' })
      .option('params', { type: 'string', default: '{}', describe: 'parameters as JSON, e.g. \'{"IB_WINDOW":"08:00-09:00","RR_TARGET":1.5}\'' })
      .option('from', { type: 'string', describe: 'first trading day (YYYY-MM-DD)' })
      .option('to', { type: 'string', describe: 'last trading day (YYYY-MM-DD)' })
      .option('balance', { type: 'number', default: 100_000, describe: 'initial balance for return %' })
      .option('risk', { type: 'number', default: 1, describe: 'risk per trade in % of balance, for return %' })
      .option('json', { type: 'boolean', default: false, describe: 'print { metrics, trades } as JSON' }) as unknown as Argv<BacktestArgs>,
  handler: async (args) => {
    let input: unknown;
    try {
      input = JSON.parse(args.params);
    } catch (e) {
      throw new UsageError(`--params is not valid JSON (${(e as Error).message}); e.g. '{"RR_TARGET":1.5}'`);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new UsageError('--params must be a JSON object of parameter names and values');
    }
    if (!(args.balance > 0)) throw new UsageError(`--balance must be > 0, got ${args.balance}`);
    if (!(args.risk > 0 && args.risk <= 100)) throw new UsageError(`--risk must be in (0, 100], got ${args.risk}`);
    const sd = loadSymbolData(args.symbol, { from: args.from, to: args.to });
    const params = resolveParams(sd.data.symbol, input as Record<string, unknown>);
    const engine = new IbEngine(sd.data);
    const { metrics, trades = [] } = engine.run(params, {
      dayFrom: sd.dayFrom,
      dayTo: sd.dayTo,
      trades: true,
      initialBalance: args.balance,
      riskPct: args.risk,
    });
    const rows = trades.map((t) => ({
      day: epochDayToIso(t.day),
      signal: t.signal,
      direction: t.direction,
      entryTime: iso(t.entryTime),
      entryPrice: t.entryPrice,
      stop: t.stop,
      exitTime: iso(t.exitTime),
      exitPrice: t.exitPrice,
      r: t.r,
    }));
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ params, metrics, trades: rows })}\n`);
      return;
    }
    const out: string[] = [`${sd.data.symbol.name} ${JSON.stringify(params)}`, ''];
    for (const [k, v] of Object.entries(metrics)) out.push(`  ${k.padEnd(18)} ${v}`);
    out.push('', 'day         signal   dir    entry (UTC)        entry       stop        exit (UTC)         exit         R');
    for (const t of rows) {
      out.push(
        [t.day, t.signal.padEnd(8), t.direction.padEnd(6), t.entryTime.slice(0, 16), t.entryPrice.toFixed(4).padStart(11), t.stop.toFixed(4).padStart(11),
          t.exitTime.slice(0, 16), t.exitPrice.toFixed(4).padStart(11), t.r.toFixed(3).padStart(7)].join(' '),
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  },
};

export default command;
