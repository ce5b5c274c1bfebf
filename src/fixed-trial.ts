/**
 * A trial that answers every `suggest*` from given parameter values (Optuna's `FixedTrial`):
 * for running an objective on the parameters of a stored trial again, outside any study, so the
 * objective's own rules fill in whatever it derives from them (conditional and fixed values).
 */
import { type Distribution, type ParamValue, toInternal } from './distributions.js';
import { UsageError } from './errors.js';
import { SuggestingTrial } from './trial.js';

export class FixedTrial extends SuggestingTrial {
  readonly number: number;
  readonly datetimeStart: Date | null = null;
  private readonly given: Readonly<Record<string, ParamValue>>;
  private readonly attrs: Record<string, unknown> = {};

  constructor(params: Readonly<Record<string, ParamValue>>, number = 0) {
    super();
    this.given = params;
    this.number = number;
  }

  get userAttrs(): Readonly<Record<string, unknown>> {
    return { ...this.attrs };
  }

  suggest(name: string, distribution: Distribution): ParamValue {
    if (!(name in this.given)) {
      throw new UsageError(`the objective asks for parameter '${name}', which the given parameters lack (they have: ${Object.keys(this.given).join(', ') || 'none'})`);
    }
    const value = this.given[name];
    // Throws, naming the parameter, for a value the distribution cannot take (a choice it lacks).
    toInternal(distribution, value, name);
    this.suggested[name] = value;
    this.suggestedDistributions[name] = distribution;
    return value;
  }

  report(): void {}

  shouldPrune(): boolean {
    return false;
  }

  setUserAttr(key: string, value: unknown): void {
    this.attrs[key] = value;
  }
}
