/**
 * `studyopt best [--study-name X] [--json]`: the best trial of a study (the Pareto front for
 * several objectives). Reads through the value index, so it answers at once on any study size.
 * The study name may be left out when the file holds one study. Numbers print exactly as in
 * --json (the shortest form that reads back to the same number), never rounded.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import type { FrozenTrial } from '../../frozen-trial.js';
import { paretoFront } from '../../pareto.js';
import { isFeasible } from '../../frozen-trial.js';
import { STUDY_NAME_OPTION, type StorageArgs, formatDate, metricNames, openStorage, resolveStudy, toJson, withStorage } from './storage-options.js';

interface BestArgs extends StorageArgs {
  studyName?: string;
  json: boolean;
}

/** A stored value as --json writes it: numbers in their shortest round-trip form (never rounded), ±Infinity and NaN by name. */
function exact(v: unknown): string {
  const named = (x: unknown): unknown => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x);
  return typeof v === 'number' ? String(named(v)) : JSON.stringify(v, (_k, x: unknown) => named(x));
}

function describeTrial(t: FrozenTrial, names: string[] | null): Record<string, unknown> {
  return {
    number: t.number,
    values: t.values,
    ...(names ? { metricNames: names } : {}),
    params: t.params,
    userAttrs: t.userAttrs,
    datetimeStart: formatDate(t.datetimeStart),
    datetimeComplete: formatDate(t.datetimeComplete),
  };
}

const command: CommandModule<object, BestArgs> = {
  command: 'best',
  describe: 'show the best trial of a study (the Pareto front for several objectives)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<BestArgs>,
  handler: (argv: ArgumentsCamelCase<BestArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const { id, name } = resolveStudy(storage, argv.studyName);
      const directions = storage.getStudyDirections(id);
      const names = metricNames(storage.getStudySystemAttrs(id), directions.length);
      const best =
        directions.length === 1
          ? [storage.getBestTrial(id)].filter((t): t is FrozenTrial => t !== null)
          : paretoFront(storage.getAllTrials(id, ['COMPLETE']).filter(isFeasible), directions);
      if (best.length === 0) throw new UsageError(`study '${name}' has no completed feasible trial yet`);
      if (argv.json) {
        const out = directions.length === 1 ? describeTrial(best[0], names) : best.map((t) => describeTrial(t, names));
        process.stdout.write(`${toJson(out)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const t of best) {
        const values = t.values!.map((v, i) => `${names?.[i] ?? (directions.length === 1 ? 'value' : `value ${i}`)} ${exact(v)}`).join(', ');
        lines.push(`trial ${t.number}: ${values} (${directions.join(', ')})`);
        for (const [k, v] of Object.entries(t.params)) lines.push(`  ${k} = ${exact(v)}`);
        for (const [k, v] of Object.entries(t.userAttrs)) lines.push(`  [${k}] ${exact(v)}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      storage.close();
    }
  },
};

export default command;
