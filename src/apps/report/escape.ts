/**
 * Escaping for the self-contained HTML report: every user-supplied string (study names,
 * parameter names and values, user attributes) reaches the page either as HTML-escaped text or
 * inside the JSON data block, where `<`, `>`, `&` and the JavaScript line separators are \u
 * escapes, so no string can close the script element or start markup.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `JSON.parse` of the element's
 * text gives `value` back exactly. Non-finite numbers become null (JSON has none).
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library code inlined in a `<script>`: neutralises any `</script` or `<!--` sequence. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
