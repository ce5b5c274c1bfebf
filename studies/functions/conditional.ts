/**
 * A conditional (tree-structured) space, the kind TPE was designed for (Bergstra et al. 2011,
 * Sec. 2: "conditional parameters"): a categorical chooses a model family, and each family has
 * its own parameters, suggested define-by-run only when the family is chosen; the network family
 * nests a second condition (a width per layer, for as many layers as chosen). It mimics picking
 * an algorithm and its settings at once (the CASH problem of Auto-WEKA, Thornton et al. 2013).
 *
 * Families and their minima: linear 1.0 (easy to find, a decoy), tree 0.5, net 0 (the global
 * optimum: 3 layers of widths 128, 64, 32, learning rate 1e-3, dropout 0.2).
 */
import type { ParamValue, SearchSpace } from '../../src/distributions.js';
import { type Trial, suggestFrom } from '../../src/trial.js';
import type { TestFunction } from './test-function.js';

const FAMILIES = ['linear', 'tree', 'net'] as const;
const MAX_LAYERS = 4;
/** The best log2 width of each layer (128, 64, 32, 16). */
const BEST_LOG2_WIDTH = [7, 6, 5, 4];

const SPACE: SearchSpace = {
  model: { type: 'categorical', choices: [...FAMILIES] },
  lin_alpha: { type: 'float', low: 1e-5, high: 1, log: true, step: null },
  lin_l1: { type: 'float', low: 0, high: 1, log: false, step: null },
  tree_depth: { type: 'int', low: 1, high: 16, log: false, step: 1 },
  tree_rate: { type: 'float', low: 1e-3, high: 1, log: true, step: null },
  tree_leaf: { type: 'int', low: 1, high: 128, log: true, step: 1 },
  net_layers: { type: 'int', low: 1, high: MAX_LAYERS, log: false, step: 1 },
  ...Object.fromEntries(Array.from({ length: MAX_LAYERS }, (_, i) => [`net_width${i}`, { type: 'int', low: 8, high: 512, log: true, step: 1 }])),
  net_lr: { type: 'float', low: 1e-5, high: 1e-1, log: true, step: null },
  net_dropout: { type: 'float', low: 0, high: 0.8, log: false, step: null },
};

/** The parameter names a point of family `model` (and `net_layers` layers) has, in suggestion order. */
export function conditionalParamNames(model: string, layers = 0): string[] {
  if (model === 'linear') return ['model', 'lin_alpha', 'lin_l1'];
  if (model === 'tree') return ['model', 'tree_depth', 'tree_rate', 'tree_leaf'];
  return ['model', 'net_layers', ...Array.from({ length: layers }, (_, i) => `net_width${i}`), 'net_lr', 'net_dropout'];
}

function evaluate(p: Readonly<Record<string, ParamValue>>): number {
  const num = (name: string): number => p[name] as number;
  switch (p.model) {
    case 'linear':
      return 1 + 0.5 * (Math.log10(num('lin_alpha')) + 3) ** 2 + (num('lin_l1') - 0.3) ** 2;
    case 'tree':
      return 0.5 + (num('tree_depth') - 6) ** 2 / 20 + (Math.log10(num('tree_rate')) + 1) ** 2 + (Math.log2(num('tree_leaf')) - 4) ** 2 / 8;
    case 'net': {
      const layers = num('net_layers');
      let s = (layers - 3) ** 2 / 2 + (Math.log10(num('net_lr')) + 3) ** 2 + (num('net_dropout') - 0.2) ** 2;
      for (let i = 0; i < layers; i++) s += (Math.log2(num(`net_width${i}`)) - BEST_LOG2_WIDTH[i]) ** 2 / 8;
      return s;
    }
    default:
      throw new Error(`conditional: unknown model ${String(p.model)}`);
  }
}

export function conditional(): TestFunction {
  return {
    name: 'conditional',
    description: 'a categorical picks linear, tree or net, each with its own parameters (net: one width per chosen layer)',
    optimum: 0,
    space: SPACE,
    evaluate,
    objective(trial: Trial): number {
      const model = trial.suggestCategorical('model', FAMILIES);
      const params: Record<string, ParamValue> = { model };
      const suggest = (name: string): void => {
        params[name] = suggestFrom(trial, name, SPACE[name]);
      };
      if (model === 'net') {
        suggest('net_layers');
        for (const name of conditionalParamNames('net', params.net_layers as number).slice(2)) suggest(name);
      } else {
        for (const name of conditionalParamNames(model).slice(1)) suggest(name);
      }
      return evaluate(params);
    },
  };
}
