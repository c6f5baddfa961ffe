// Builds the tlswitness binary: one ESM file, so start-up does not pay for resolving and lexing
// hundreds of small CommonJS modules (measured: ~150 ms of imports unbundled on Node 20).
import { build } from 'esbuild';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { thirdPartyLicenses } from './third-party-licenses.mjs';

const outfile = 'dist/tlswitness.mjs';
// Chunk names carry content hashes: old ones would pile up.
await rm('dist/chunks', { recursive: true, force: true });
const result = await build({
  entryPoints: { tlswitness: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // Code loaded on demand (the TUI) goes to its own chunk instead of every start-up.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: process.env.TLSWITNESS_MINIFY !== '0',
  minifySyntax: process.env.TLSWITNESS_MINIFY !== '0',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  // blessed loads its widgets with a computed require() and reads terminfo files next to its own
  // sources: it cannot be bundled, so it stays a runtime dependency loaded from node_modules.
  external: ['blessed'],
  logLevel: 'warning',
  metafile: true,
  // CommonJS dependencies (yargs 17) call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __tlswitnessRequire } from 'node:module';\nconst require = __tlswitnessRequire(import.meta.url);",
  },
});
await chmod(outfile, 0o755);
await writeFile('dist/THIRD-PARTY-LICENSES.txt', thirdPartyLicenses(Object.keys(result.metafile.inputs)));
