/**
 * The entry of the child process that builds one study's report page for the dashboard
 * (report-builder.ts forks it, with CHILD_FLAG): it takes one job, sends back the page or the
 * error, and exits. Nothing imports this file; it only runs as that child.
 */
import { CHILD_FLAG, type ReportJob, buildReport } from './report-builder.js';

const send = process.send?.bind(process);
if (send && process.argv.includes(CHILD_FLAG)) {
  process.once('message', (job: ReportJob) => {
    send(buildReport(job), undefined, undefined, () => process.disconnect?.());
  });
}
