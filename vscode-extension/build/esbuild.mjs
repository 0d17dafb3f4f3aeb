// Bundles the extension (src/extension.ts -> dist/extension.js, `vscode` external) or, with
// --tests, each test/*.test.ts with the pure-logic modules it imports -> dist-test/*.test.js
// for `node --test`. A test that imported `vscode` would fail to bundle: that keeps the tested
// modules free of it.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = { bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'warning' };

if (tests) {
  const entryPoints = readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);
  await esbuild.build({ ...common, entryPoints, outdir: 'dist-test', sourcemap: 'inline' });
} else {
  await esbuild.build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
  });
}
