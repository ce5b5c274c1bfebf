/**
 * The README's library example, type-checked as a new user's app: a fresh folder with
 * `"type": "module"`, the strict tsconfig `tsc --init` writes but with `skipLibCheck` off (so the
 * shipped declarations are checked too) and no @types/node, studyopt installed from exactly what
 * `npm pack` ships, its runtime dependencies beside it, and the project's own TypeScript.
 * Offline; needs dist/ built (`npm test` builds first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** The first ```ts block under "## The library" in README.md. */
function readmeLibraryExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('The library'));
  const code = section?.match(/^```ts\n([\s\S]*?)^```/m)?.[1];
  if (!code) throw new Error('README.md has no ```ts block under "## The library"');
  return code;
}

/** The files `npm pack` would put in the tarball (package.json, README, dist/...). */
function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
}

/** tsc --init's options (TypeScript 7), with the declarations of libraries checked too. */
const COMPILER_OPTIONS = {
  module: 'nodenext',
  target: 'esnext',
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: false,
  noEmit: true,
};

interface TscRun {
  status: number | null;
  output: string;
  diagnostics: string[];
  /** Every file in the program. */
  files: string[];
}

let app: string;

function tsc(project: string): TscRun {
  const r = spawnSync(process.execPath, [TSC, '-p', project, '--listFiles', '--pretty', 'false'], { cwd: app, encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  const lines = output.split('\n').filter(Boolean);
  return {
    status: r.status,
    output,
    diagnostics: lines.filter((l) => /error TS\d+/.test(l)),
    files: lines.filter((l) => l.startsWith('/')),
  };
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'studyopt-app-'));
  const pkgDir = join(app, 'node_modules/studyopt');
  for (const path of packedFiles()) {
    mkdirSync(dirname(join(pkgDir, path)), { recursive: true });
    cpSync(join(ROOT, path), join(pkgDir, path));
  }
  // The runtime dependencies, as npm would install them beside studyopt (no devDependencies:
  // no @types/node, no @types/better-sqlite3).
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) {
    mkdirSync(dirname(join(app, 'node_modules', dep)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2));
  writeFileSync(join(app, 'app.ts'), readmeLibraryExample());
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['app.ts'] }, null, 2));
  // The declarations alone, with neither Node's types nor the DOM's (lib: ES2023 only).
  writeFileSync(join(app, 'api.ts'), "export * from 'studyopt';\n");
  writeFileSync(join(app, 'tsconfig.api.json'), JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, lib: ['es2023'] }, files: ['api.ts'] }, null, 2));
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe("the README's library example in a fresh app", () => {
  it('type-checks with the project TypeScript, without @types/node and without skipLibCheck', () => {
    const run = tsc('tsconfig.json');
    expect(run.diagnostics).toEqual([]);
    expect(run.status, run.output).toBe(0);
    expect(run.files.some((f) => f.endsWith('/app.ts'))).toBe(true);
    expect(run.files.filter((f) => f.includes('/@types/node/'))).toEqual([]);
  });

  it("ships declarations that need neither Node's types nor the DOM's", () => {
    const run = tsc('tsconfig.api.json');
    expect(run.diagnostics).toEqual([]);
    expect(run.status, run.output).toBe(0);
    expect(run.files.some((f) => f.includes('/@types/node/') || /\/lib\.dom\./.test(f))).toBe(false);
    // Every declaration file index.d.ts reaches: no Node namespace, no node: module, no reference to @types/node.
    const ours = run.files.filter((f) => f.includes('/node_modules/studyopt/') && f.endsWith('.d.ts'));
    expect(ours.some((f) => f.endsWith('/dist/src/index.d.ts'))).toBe(true);
    const nodeTyped = ours.filter((f) => /\bNodeJS\.|['"]node:|reference types="node"/.test(readFileSync(f, 'utf8')));
    expect(nodeTyped).toEqual([]);
  });
});
