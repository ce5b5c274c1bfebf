/** A flag whose value is a JSON object (`--module-options`, `--pruner-options`). */
import { UsageError } from '../../errors.js';

/** The object `json` holds ({} when the flag is absent); anything else is refused naming `flag` and an `example`. */
export function parseJsonObjectFlag(flag: string, json: string | undefined, example: string): Record<string, unknown> {
  if (json === undefined) return {};
  try {
    const v = JSON.parse(json);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // fall through to the message
  }
  throw new UsageError(`${flag} must be a JSON object, e.g. '${example}', but got ${json}`);
}
