/**
 * `studyopt best --study-name X [--json]`: the best trial of a study (the Pareto front for
 * several objectives). Reads through the value index, so it answers at once on any study size.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import type { FrozenTrial } from '../../frozen-trial.js';
import { paretoFront } from '../../pareto.js';
import { isFeasible } from '../../frozen-trial.js';
import { type StorageArgs, formatDate, formatNumber, metricNames, openStorage, requireStudy, toJson, withStorage } from './storage-options.js';

interface BestArgs extends StorageArgs {
  studyName: string;
  json: boolean;
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
      .option('study-name', { type: 'string', demandOption: true, describe: 'the study' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<BestArgs>,
  handler: (argv: ArgumentsCamelCase<BestArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const id = requireStudy(storage, argv.studyName);
      const directions = storage.getStudyDirections(id);
      const names = metricNames(storage.getStudySystemAttrs(id), directions.length);
      const best =
        directions.length === 1
          ? [storage.getBestTrial(id)].filter((t): t is FrozenTrial => t !== null)
          : paretoFront(storage.getAllTrials(id, ['COMPLETE']).filter(isFeasible), directions);
      if (best.length === 0) throw new UsageError(`study '${argv.studyName}' has no completed feasible trial yet`);
      if (argv.json) {
        const out = directions.length === 1 ? describeTrial(best[0], names) : best.map((t) => describeTrial(t, names));
        process.stdout.write(`${toJson(out)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const t of best) {
        const values = t.values!.map((v, i) => `${names?.[i] ?? (directions.length === 1 ? 'value' : `value ${i}`)} ${formatNumber(v)}`).join(', ');
        lines.push(`trial ${t.number}: ${values} (${directions.join(', ')})`);
        for (const [k, v] of Object.entries(t.params)) lines.push(`  ${k} = ${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`);
        for (const [k, v] of Object.entries(t.userAttrs)) lines.push(`  [${k}] ${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      storage.close();
    }
  },
};

export default command;
