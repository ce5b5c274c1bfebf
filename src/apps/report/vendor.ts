/**
 * The charting libraries inlined into every report: Vega, Vega-Lite and vega-embed, their UMD
 * bundles read from node_modules at report time (so a report opens offline, with no CDN).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scriptSafe } from './escape.js';

const require = createRequire(import.meta.url);

/** The bundle file `file` in the build folder of package `pkg` (whose main entry lives there). */
function bundle(pkg: string, file: string): string {
  const path = join(dirname(require.resolve(pkg)), file);
  return scriptSafe(readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
}

let cached: string[] | null = null;

/** The three bundles in load order (vega, vega-lite, vega-embed). */
export function chartLibraries(): string[] {
  cached ??= [bundle('vega', 'vega.min.js'), bundle('vega-lite', 'vega-lite.min.js'), bundle('vega-embed', 'vega-embed.min.js')];
  return cached;
}
