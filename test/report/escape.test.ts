import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, scriptSafe } from '../../src/report/escape.js';
import { renderStudyReport } from '../../src/report/report.js';
import { EVIL_ATTR, EVIL_CHOICE, EVIL_NAME, EVIL_PARAM, evilParamStudy, ibStudy, tinyBench } from './fixtures.js';

/** The JSON data block of a report, parsed back. */
function dataBlock(html: string): { charts: unknown[] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

/** Script elements the page opens: the three libraries, the data block and the boot script. */
function scriptTags(html: string): number {
  return (html.match(/<script\b/gi) ?? []).length;
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
    expect(html).not.toContain(EVIL_NAME);
    expect(html).not.toContain(EVIL_ATTR);
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(EVIL_NAME));
    expect(scriptTags(html)).toBe(5);
    expect(html).toContain('Equity curve');
    expect(html).toContain('Variation breakdown');
  }, 60_000);

  it('parameter names and categorical values with quotes and markup stay data', async () => {
    const study = await evilParamStudy();
    const html = renderStudyReport({ storage: study.storage, studyId: study.studyId, bench: await tinyBench() });
    expect(html).not.toContain(EVIL_PARAM);
    expect(html).not.toContain(EVIL_CHOICE);
    expect(scriptTags(html)).toBe(5);
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
