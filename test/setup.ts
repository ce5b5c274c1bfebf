/**
 * vitest setupFiles: runs before each test file. The core (src/) never imports samplers/, so the
 * default sampler of a study created without one (the automatic one, samplers/auto/) exists once
 * samplers/index.ts is loaded, as the package entry (src/index.ts) and the CLI do; tests that
 * import only src/study.ts get it here.
 */
import '../samplers/index.js';
