/**
 * `studyopt report [--study-name X] [--storage f.db] [--bench out.json] [--out report.html]`: one
 * self-contained HTML file (charts and data inlined) that opens offline. The study name may be left
 * out when the file holds one study. See docs/report.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { checkBenchResult } from '../../report/bench-charts.js';
import { renderStudyReport } from '../../report/report.js';
import { openStorage, resolveStudy, withStorage } from './storage-options.js';

interface ReportArgs {
  studyName?: string;
  storage: string;
  bench?: string;
  out?: string;
}

const command: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'write a self-contained HTML report of a study: history, importances, slices, contours, parallel coordinates, IB equity and trades, bench charts',
  builder: (y: Argv) =>
    withStorage(
      y
        .option('study-name', { type: 'string', describe: 'the study to report on (may be left out when the file holds only one)' })
        .option('bench', { type: 'string', describe: "add the comparison charts of a 'studyopt bench --json' file" })
        .option('out', { type: 'string', describe: 'the HTML file to write (default: report-<study name>.html)' }),
    ) as unknown as Argv<ReportArgs>,
  handler: (argv: ArgumentsCamelCase<ReportArgs>) => {
    let bench;
    if (argv.bench !== undefined) {
      if (!existsSync(argv.bench)) throw new UsageError(`--bench ${argv.bench}: no such file; write one with 'studyopt bench --json ${argv.bench}'`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(argv.bench, 'utf8'));
      } catch (err) {
        throw new UsageError(`--bench ${argv.bench} is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      bench = checkBenchResult(parsed, argv.bench);
    }
    const storage = openStorage(argv.storage);
    try {
      const { id: studyId, name } = resolveStudy(storage, argv.studyName);
      const html = renderStudyReport({ storage, studyId, bench });
      const out = argv.out ?? defaultOut(name);
      writeFileSync(out, html);
      process.stdout.write(`report written to ${out} (${(html.length / 1024).toFixed(0)} KiB, opens offline)\n`);
    } finally {
      storage.close();
    }
  },
};

export default command;

/** report-<name>.html with anything but letters, digits, '.', '_' and '-' replaced. */
export function defaultOut(studyName: string): string {
  return `report-${studyName.replace(/[^\w.-]+/g, '_').slice(0, 80)}.html`;
}
