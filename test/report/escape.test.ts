import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, scriptSafe } from '../../src/apps/report/escape.js';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { EVIL_ATTR, EVIL_CHOICE, EVIL_NAME, EVIL_PARAM, evilParamStudy, ibStudy, tinyBench } from './fixtures.js';

/** The JSON data block of a report, parsed back. */
function dataBlock(html: string): { charts: unknown[] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

/** The page after the inlined libraries (which sit in <head>). */
function body(html: string): string {
  return html.slice(html.indexOf('</head>'));
}

/** Script elements in the body: only the data block and the boot script. */
function scriptTags(html: string): number {
  return (body(html).match(/<script\b/gi) ?? []).length;
}

/** `includes` without dumping a megabyte page into the failure message. */
function has(html: string, s: string): boolean {
  return html.includes(s);
}

describe('escaping', () => {
  it('HTML text and JSON for script elements', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const tricky = { s: '</script><!-- \u2028 & >' };
    const text = jsonForScript(tricky);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(tricky);
    expect(scriptSafe('x="</SCRIPT>";y="<!--"')).toBe('x="<\\/SCRIPT>";y="<\\!--"');
  });

  it('a study named </script><script>alert(1)</script> with a hostile user attribute cannot inject markup', async () => {
    const study = await ibStudy(40);
    const html = renderStudyReport({ storage: study.storage, studyId: study.studyId });
    expect(has(html, EVIL_NAME)).toBe(false);
    expect(has(html, EVIL_ATTR)).toBe(false);
    expect(has(body(html), '<img')).toBe(false);
    expect(has(html, escapeHtml(EVIL_NAME))).toBe(true);
    expect(has(html, escapeHtml(EVIL_ATTR))).toBe(true);
    expect(scriptTags(html)).toBe(2);
    expect(has(html, 'Equity curve')).toBe(true);
    expect(has(html, 'Variation breakdown')).toBe(true);
  }, 60_000);

  it('parameter names and categorical values with quotes and markup stay data', async () => {
    const study = await evilParamStudy();
    const html = renderStudyReport({ storage: study.storage, studyId: study.studyId, bench: await tinyBench() });
    expect(has(html, EVIL_PARAM)).toBe(false);
    expect(has(html, EVIL_CHOICE)).toBe(false);
    expect(has(html, escapeHtml(EVIL_PARAM))).toBe(true);
    expect(scriptTags(html)).toBe(2);
    const data = JSON.stringify(dataBlock(html));
    // The strings reach the charts intact, as data (titles, values), never as field names.
    expect(data).toContain(JSON.stringify(EVIL_PARAM).slice(1, -1));
    expect(data).toContain(JSON.stringify(EVIL_CHOICE).slice(1, -1));
    for (const chart of dataBlock(html).charts) {
      const fields = JSON.stringify(chart).match(/"field":"[^"]*"/g) ?? [];
      for (const f of fields) expect(f).toMatch(/^"field":"[A-Za-z]+"$/);
    }
  });
});
