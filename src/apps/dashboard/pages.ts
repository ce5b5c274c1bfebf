/**
 * The dashboard's pages. The studies page and the study page are a shell and a script that
 * reads the JSON API and follows the study's event stream; the report and a trial's page are
 * the static report's pages (report/page.ts renderPage, report.ts, ib-report.ts), built on
 * request. User strings (study, parameter and attribute names, values) reach the page only as
 * escaped HTML, inside the JSON data block, or through the script's `textContent`: never as
 * markup.
 */
import type { Storage } from '../../storage/storage.js';
import { queryTrials } from '../../storage/trial-query.js';
import { dataOfTrial } from '../../study-data.js';
import { objectiveNames } from '../../pareto-pick.js';
import { formatNumber, metricNames } from '../cli/commands/storage-options.js';
import { escapeHtml, jsonForScript } from '../report/escape.js';
import { ibSections } from '../report/ib-report.js';
import { PAGE_STYLE, type Section, htmlTable, renderPage } from '../report/page.js';
import { paramText, renderStudyReport } from '../report/report.js';
import { ibSettingsOf, rerunIbTrial } from '../../../studies/ib/study-settings.js';
import { ibBasketSettingsOf } from '../../../studies/ib/basket-settings.js';
import { NotFoundError, integerParam, studyIdOf } from './request-params.js';
import { STUDIES_SCRIPT, STUDY_SCRIPT } from './page-scripts.js';

/**
 * The report page reads at most about this many trials (whole FrozenTrials, up to 6 KB each): a
 * bigger study's charts are drawn from its best trials and a uniform sample of the rest, each
 * labelled (report/trial-sample.ts), the history's best line and the Pareto front from every
 * trial's values. Under it the page is the report `studyopt report` writes.
 */
export const REPORT_TRIALS = 10_000;

const DASHBOARD_STYLE = `
nav{padding:6px 28px;background:#32383f}nav a{color:#d0d7de;margin-right:16px;text-decoration:none}
.banner{display:none;margin:12px 0;padding:8px 12px;border-radius:6px;background:#ffebe9;border:1px solid #ff8182;color:#82071e}
.live{color:#57606a;font-size:12px}.live.on::before{content:"● ";color:#1a7f37}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin:6px 0}
.controls label{color:#57606a}
th.sortable{cursor:pointer;text-decoration:underline dotted}
tr.fresh td{background:#dafbe1;transition:background 2s}
td a{color:#0969da}
`;

function shell(title: string, body: string, data: unknown, script: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}${DASHBOARD_STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p>studyopt dashboard (read-only)</p></header>
<nav><a href="/">All studies</a></nav>
<main>
<div id="banner" class="banner" role="alert"></div>
${body}
</main>
<script type="application/json" id="dashboard-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

export function studiesPage(): string {
  return shell(
    'Studies',
    '<section><h2>Studies <span id="live" class="live"></span></h2><p class="intro">Refreshed every 2 seconds. The rate is trials finished per minute over the last minute this page has been open.</p><div id="studies"></div></section>',
    {},
    STUDIES_SCRIPT,
  );
}

export function studyPage(name: string): string {
  return shell(
    `Study: ${name}`,
    `<section><h2>Summary <span id="live" class="live"></span></h2><div id="summary"></div>
</section>
<section><h2>Charts</h2>
<details id="charts"><summary>The report's sections: history, importances, slices, contours, parallel coordinates, Pareto front, validation</summary>
<p class="intro">Built when opened, in the background: above ${REPORT_TRIALS.toLocaleString('en-US')} trials the charts are drawn from the best trials and a uniform sample of the rest, as each says. <span id="charts-state"></span> <button id="charts-rebuild" hidden>rebuild with the new trials</button> <a id="report-link" href="/study/report?name=${encodeURIComponent(name)}">open on its own page</a></p>
<iframe id="charts-frame" title="the study's report" style="width:100%;height:85vh;border:1px solid #ddd"></iframe>
</details></section>
<section><h2>Trials</h2>
<div class="controls">
<label>state <select id="state"><option value="">all</option><option>COMPLETE</option><option>RUNNING</option><option>WAITING</option><option>PRUNED</option><option>FAIL</option></select></label>
<label>filter <input id="param" size="28" placeholder="parameter:min:max"></label>
<label>rows <select id="limit"><option>25</option><option selected>50</option><option>100</option><option>500</option></select></label>
<button id="prev">◀ previous</button><span id="position"></span><button id="next">next ▶</button>
</div>
<div id="trials" class="scroll" style="max-height:none"></div>
</section>`,
    { name },
    STUDY_SCRIPT,
  );
}

export function errorPage(title: string, message: string): string {
  return shell(title, `<section><h2>${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p></section>`, {}, '');
}

/** The report of one study: above `maxTrials` trials, drawn from a labelled sample (REPORT_TRIALS). */
export function reportPage(storage: Storage, name: string, maxTrials = REPORT_TRIALS): string {
  return renderStudyReport({ storage, studyId: studyIdOf(storage, name), maxTrials });
}

/** One trial: its values, parameters and attributes, and for an IB study its equity curve and trades, re-run. */
export function trialPage(storage: Storage, name: string, url: URL): string {
  const studyId = studyIdOf(storage, name);
  const number = integerParam(url, 'number', -1, 0, Number.MAX_SAFE_INTEGER);
  // Trial numbers are 0, 1, 2... in each study: the trial numbered N is the N-th in number order.
  const trial = number < 0 ? undefined : queryTrials(storage, studyId, { offset: number, limit: 1 }).trials[0];
  if (!trial || trial.number !== number) throw new NotFoundError(`study '${name}' has no trial ${url.searchParams.get('number') ?? '(give ?number=N)'}`);
  const directions = storage.getStudyDirections(studyId);
  const systemAttrs = storage.getStudySystemAttrs(studyId);
  const objectives = objectiveNames(directions, metricNames(systemAttrs, directions.length));
  const rows: (readonly unknown[])[] = [
    ['state', trial.state],
    ...objectives.map((o, k) => [`${o} (${directions[k]})`, trial.values?.[k] === undefined ? '—' : formatNumber(trial.values[k])]),
    ['started', trial.datetimeStart?.toISOString() ?? '—'],
    ['finished', trial.datetimeComplete?.toISOString() ?? '—'],
  ];
  const sections: Section[] = [
    { title: 'Parameters', html: htmlTable(['parameter', 'value'], Object.entries(trial.params).map(([k, v]) => [k, paramText(v)])) },
  ];
  const attrs = Object.entries(trial.userAttrs);
  if (attrs.length) sections.push({ title: 'User attributes', html: htmlTable(['attribute', 'value'], attrs.map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : typeof v === 'string' ? v : JSON.stringify(v)]), { scroll: true }) });
  const ib = ibSettingsOf(systemAttrs);
  if (ib && trial.state === 'COMPLETE') {
    try {
      const replay = rerunIbTrial(ib, trial.params, { expectedData: dataOfTrial(systemAttrs, trial.number) });
      sections.push(...ibSections(replay, trial.number, ib, { best: false }));
    } catch (err) {
      sections.push({ title: 'Equity curve', intro: `The IB engine could not re-run this trial: ${err instanceof Error ? err.message : String(err)}` });
    }
  } else if (ibBasketSettingsOf(systemAttrs)) {
    sections.push({ title: 'Equity curve', intro: `A basket study: re-run this trial on one symbol with: studyopt backtest --study-name '${name}' --trial ${trial.number} --symbol <symbol>` });
  }
  return renderPage({
    title: `Trial #${trial.number} of ${name}`,
    subtitle: 'studyopt dashboard (read-only)',
    summaryHtml: `<section>${htmlTable(['', ''], rows)}<p><a href="/study?name=${encodeURIComponent(name)}">back to the study</a></p></section>`,
    sections,
  });
}
