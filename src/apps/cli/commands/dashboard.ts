/**
 * `studyopt dashboard`: serves the live dashboard over a study store until Ctrl-C
 * (src/apps/dashboard/server.ts). Read-only: it never writes to the studies.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { startDashboard } from '../../dashboard/server.js';
import { type StorageArgs, withStorage } from './storage-options.js';

interface DashboardArgs extends StorageArgs {
  port: number;
  host: string;
  token?: string;
  reportTrials?: number;
}

const command: CommandModule<object, DashboardArgs> = {
  command: 'dashboard',
  describe: 'serve a live, read-only web dashboard over the studies (SQLite file or PostgreSQL URL)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('port', { type: 'number', default: 8080, describe: 'the port to listen on (0: any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'the address to listen on; anything but loopback requires the printed token' })
      .option('token', { type: 'string', describe: 'the token to require (default: made up and printed when --host is not loopback)' })
      .option('report-trials', { type: 'number', describe: "the most trials a study's report page reads (default 10000): a bigger study's charts come from its best trials and a uniform sample, labelled" }) as unknown as Argv<DashboardArgs>,
  handler: async (argv: ArgumentsCamelCase<DashboardArgs>) => {
    if (!Number.isInteger(argv.port) || argv.port < 0 || argv.port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, but got ${argv.port}`);
    if (argv.token !== undefined && argv.token.length < 16) throw new UsageError('--token must be at least 16 characters long (or leave it out to have one made)');
    const dashboard = await startDashboard({ storage: argv.storage, host: argv.host, port: argv.port, ...(argv.token !== undefined ? { token: argv.token } : {}), ...(argv.reportTrials !== undefined ? { reportTrials: argv.reportTrials } : {}) });
    process.stdout.write(`studyopt dashboard on ${dashboard.url}\n${dashboard.token ? 'the token in that URL is required: share it only with those who may see the studies\n' : ''}read-only; Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => {
        process.stderr.write('\nstopping the dashboard\n');
        void dashboard.close().then(resolve);
      });
    });
  },
};

export default command;
