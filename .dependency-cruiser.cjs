/**
 * The layer rules, checked by dependency-cruiser in `npm test` (`npm run lint:layers`).
 *
 *   src/apps/ (cli, bench, report)   applications: may import everything below
 *   src/index.ts                     the package entry: the core and the samplers
 *   samplers/        studies/        plug-ins: import only the core
 *   src/ (the rest)                  the core: imports no folder above it
 *
 * Tests and scripts may import anything (they are not checked). Type-only imports count: a type
 * names a module the design depends on. See CONTRIBUTING.md, "Layers".
 */
const CORE = '^src/(?!apps/|index\\.ts$)';
const ABOVE_CORE = '^(samplers|studies|src/apps)/|^src/index\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'The core (src/ but src/apps/ and src/index.ts) must not import samplers/, studies/, the applications or the package entry. A default or a plug-in is registered from above (e.g. setDefaultSamplerFactory).',
      severity: 'error',
      from: { path: CORE },
      to: { path: ABOVE_CORE },
    },
    {
      name: 'samplers-import-only-core',
      comment: 'A sampler may import the core and other samplers; not studies/, the applications or the package entry.',
      severity: 'error',
      from: { path: '^samplers/' },
      to: { path: '^(studies|src/apps)/|^src/index\\.ts$' },
    },
    {
      name: 'studies-import-only-core',
      comment: 'A study (objective) may import the core and other studies; not samplers/, the applications or the package entry.',
      severity: 'error',
      from: { path: '^studies/' },
      to: { path: '^(samplers|src/apps)/|^src/index\\.ts$' },
    },
    {
      name: 'nothing-imports-tests-or-scripts',
      severity: 'error',
      from: { path: '^(src|samplers|studies)/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'no-cycle-outside-the-core',
      comment: 'No import cycle in or through samplers/, studies/, the applications or the entry; a cycle that crosses folders is one of these.',
      severity: 'error',
      from: { pathNot: CORE },
      to: { circular: true },
    },
    {
      name: 'no-core-cycle-but-the-study-hub',
      comment: 'Inside the core, the only cycles allowed pass through src/study.ts: Study uses trials, samplers, pruners and executors, and they take a Study (with `import type`, so nothing is circular at run time).',
      severity: 'error',
      from: { path: CORE },
      to: { circular: true, viaOnly: { pathNot: '^src/study\\.ts$' } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that cannot be resolved cannot be checked either.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API that dependency-cruiser can use, so swc (@swc/core) parses.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
