/**
 * The report page: sections of charts (Vega-Lite specs) and tables, rendered into one HTML file
 * with the chart libraries and the data inlined. User strings only ever enter as escaped HTML
 * text (tables, headings) or inside the JSON data block (chart specs and data).
 */
import { escapeHtml, jsonForScript } from './escape.js';
import { chartLibraries } from './vendor.js';

export interface Chart {
  readonly title: string;
  /** A sentence under the title: how to read the chart. */
  readonly note?: string;
  /** A Vega-Lite spec (data inlined). */
  readonly spec: Record<string, unknown>;
}

export interface Section {
  readonly title: string;
  /** Plain text (escaped here). */
  readonly intro?: string;
  readonly charts?: readonly Chart[];
  /** HTML built with escapeHtml (tables), placed after the charts. */
  readonly html?: string;
}

export interface Page {
  readonly title: string;
  readonly subtitle?: string;
  /** HTML built with escapeHtml, placed under the heading (the summary). */
  readonly summaryHtml?: string;
  readonly sections: readonly Section[];
}

export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px;word-break:break-all}
header p{margin:4px 0 0;color:#d0d7de}
main{padding:12px 28px 40px;max-width:1400px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:16px 0;padding:14px 18px}
section h2{margin:0 0 6px;font-size:18px}
.intro,.note{color:#57606a;margin:2px 0 8px}
.warn{color:#7d4e00;background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:4px 8px;margin:2px 0 8px}
.chart{margin:10px 0 18px}
.chart h3{margin:0;font-size:15px}
.grid{display:flex;flex-wrap:wrap;gap:8px 28px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #eaeef2;padding:3px 10px;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{background:#f6f8fa;position:sticky;top:0}
.scroll{max-height:420px;overflow:auto;border:1px solid #eaeef2}
.pos{color:#1a7f37}.neg{color:#cf222e}
td.text{text-align:left}
td.wrap{text-align:left;white-space:normal;min-width:420px}
code{background:#eaeef2;padding:1px 4px;border-radius:4px}
`;

const BOOT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var jobs = data.charts.map(function (c, i) {
    return vegaEmbed('#chart-' + i, c, { renderer: 'svg', actions: false })
      .catch(function (err) { console.error('chart ' + i + ': ' + (err && err.message)); throw err; });
  });
  Promise.allSettled(jobs).then(function (r) {
    document.body.setAttribute('data-rendered', String(r.filter(function (x) { return x.status === 'fulfilled'; }).length));
  });
})();
`;

export function renderPage(page: Page): string {
  const specs: Record<string, unknown>[] = [];
  const body: string[] = [];
  for (const section of page.sections) {
    body.push('<section>', `<h2>${escapeHtml(section.title)}</h2>`);
    if (section.intro) body.push(`<p class="intro">${escapeHtml(section.intro)}</p>`);
    if (section.charts?.length) {
      body.push('<div class="grid">');
      for (const chart of section.charts) {
        const id = specs.length;
        specs.push(chart.spec);
        body.push(
          `<div class="chart"><h3>${escapeHtml(chart.title)}</h3>${chart.note ? `<p class="note">${escapeHtml(chart.note)}</p>` : ''}<div id="chart-${id}" class="vega-chart" data-chart="${id}"></div></div>`,
        );
      }
      body.push('</div>');
    }
    if (section.html) body.push(section.html);
    body.push('</section>');
  }
  const libs = chartLibraries()
    .map((code) => `<script>${code}</script>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${PAGE_STYLE}</style>
${libs}
</head>
<body>
<header><h1>${escapeHtml(page.title)}</h1>${page.subtitle ? `<p>${escapeHtml(page.subtitle)}</p>` : ''}</header>
<main>
${page.summaryHtml ?? ''}
${body.join('\n')}
</main>
<script type="application/json" id="report-data">${jsonForScript({ charts: specs })}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** An HTML table; cells are escaped here. `numeric` right-aligns (the default for all but the first column). */
export function htmlTable(columns: readonly string[], rows: readonly (readonly unknown[])[], options: { scroll?: boolean; className?: (row: number, col: number) => string | undefined } = {}): string {
  const head = `<tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r, i) =>
        `<tr>${r
          .map((v, j) => {
            const cls = options.className?.(i, j);
            return `<td${cls ? ` class="${escapeHtml(cls)}"` : ''}>${escapeHtml(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : v)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const table = `<table><thead>${head}</thead><tbody>${body}</tbody></table>`;
  return options.scroll ? `<div class="scroll">${table}</div>` : table;
}
