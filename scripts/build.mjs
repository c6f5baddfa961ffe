// Builds the tlswitness binary: bundled ESM, so start-up does not pay for resolving and lexing hundreds of small
// CommonJS modules (measured: ~150 ms of imports unbundled on Node 20); a run loads the entry file, the bundle of
// the command it names and, on demand, the bundles of what that command loads lazily.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { chmod, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { copyProblems } from './bundle-audit.mjs';
import { thirdPartyLicenses } from './third-party-licenses.mjs';

const outfile = 'dist/tlswitness.cjs';

/** Text edits to the file `filter` matches; the build fails when one no longer applies (the package changed). */
function editSource(build, filter, edits) {
  build.onLoad({ filter }, async (args) => {
    let source = await readFile(args.path, 'utf8');
    for (const [from, to] of edits) {
      if (!source.includes(from)) throw new Error(`${args.path} changed; update its edits in scripts/build.mjs`);
      source = source.replace(from, to);
    }
    return { contents: source, loader: 'js' };
  });
}

/**
 * Three start-up costs of yargs, each paid by every run of every command:
 * - It looks for a package.json above its own file to guess the version (which parser.ts sets anyway),
 *   finding "its own file" by the `node_modules` in its path. Bundled, there is none, so it searched
 *   from the user's current directory up to /, reading every directory on the way (tens of ms in a
 *   large one, e.g. /tmp or a busy home). From the bundle's own directory it finds tlswitness's at once.
 * - It imports node:assert for two internal invariant checks; loading that module also builds
 *   process.stderr's stream and its colour support (~2 ms). Two plain functions do the same checks.
 * - Before running a command's handler it renders the whole help text, so that a handler could call
 *   showHelp() later (~3 ms). No handler here does: errors go through yargs-main.ts's fail handler.
 */
const yargsStartUp = {
  name: 'yargs-start-up',
  setup(build) {
    editSource(build, /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/, [
      [
        "const mainFilename = __dirname.substring(0, __dirname.lastIndexOf('node_modules'));",
        'const mainFilename = dirname(__dirname);',
      ],
      [
        "import { notStrictEqual, strictEqual } from 'assert'",
        "const notStrictEqual = (a, b, m) => { if (a === b) throw new Error(m ?? 'yargs: unexpected value'); };\n" +
          "const strictEqual = (a, b, m) => { if (a !== b) throw new Error(m ?? 'yargs: unexpected value'); };",
      ],
    ]);
    editSource(build, /yargs[\\/]build[\\/]lib[\\/]command\.js$/, [
      ['yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();', ''],
    ]);
  },
};

/**
 * http-mitm-proxy's lib/proxy.js loads its own CA module (lib/ca.js) at import and reads the CA with
 * it at listen. tlswitness terminates TLS and mints every leaf itself (src/ca/leaf-minter.ts), so
 * that module never signs anything here; but it loads node-forge (~10 MB of heap, the largest part
 * of the proxy's start-up) and parses the CA's private key in JavaScript. The bundle gets a stand-in.
 */
const libraryCaStandIn = {
  name: 'library-ca-stand-in',
  setup(build) {
    build.onResolve({ filter: /^\.\/ca$/ }, (args) =>
      /http-mitm-proxy[\\/]dist[\\/]lib$/.test(args.resolveDir)
        ? { path: new URL('../src/proxy/library-ca.ts', import.meta.url).pathname }
        : undefined,
    );
  },
};

/**
 * Optional native add-ons that ws tries to require() at import: they are not shipped, and a
 * require() that fails walks the directories above the bundle looking for them (~5 ms). The bundle
 * fails them at once, as a missing module would.
 */
const absentOptionalAddons = {
  name: 'absent-optional-addons',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw Object.assign(new Error("Cannot find module '${args.path}'"), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

const REQUIRE_BANNER =
  "import { createRequire as __tlswitnessRequire } from 'node:module';\nconst require = __tlswitnessRequire(import.meta.url);";

/**
 * esbuild writes the banner into every output file, but only the few that call require() (the chunk
 * holding esbuild's own require helper, a file that names it in a string) use it; in the others,
 * createRequire is work at every start-up for nothing (~0.1 ms a file, tens of files).
 */
async function dropUnusedBanners(files) {
  for (const file of files.filter((name) => name.endsWith('.mjs'))) {
    const code = await readFile(file, 'utf8');
    const rest = code.replace(REQUIRE_BANNER, '');
    if (rest !== code && !/(?<![\w$.])require(?![\w$])/.test(rest)) await writeFile(file, rest);
  }
}

/**
 * Everything loaded on demand with import() (the commands command-index.ts loads, the proxy's run, the TUI, the
 * HTTP/2 front, node-forge, ...) is bundled apart into dist/chunks/<name>.mjs, one file each with no splitting:
 * split with esbuild's chunks, the proxy's start path was ~40 files, and it idled ~6 MB higher (measured): ~3 MB
 * of it optimised code for two of Node's own path functions, made hot by resolving ~200 imports (none with
 * --no-opt), the rest the files' own upkeep.
 * Each file holds its own copy of the modules it shares with others; bundle-audit.mjs checks those copies.
 * Records the modules it sends apart in `bundles` (name → source path); `prefix` leads from the importing file
 * to dist/chunks/ ('./chunks/' from dist/, './' within it).
 */
function apart(prefix, bundles) {
  return sendApart('apart', (args, resolved) => {
    // src/cli/doctor.ts and src/doctor/doctor.ts: named by their path under src/, packages by their name.
    const name = args.path.startsWith('.')
      ? relative('src', resolved.path)
          .replace(/\.[jt]s$/, '')
          .replaceAll(sep, '-')
      : args.path.replaceAll('/', '-');
    if ((bundles.get(name) ?? resolved.path) !== resolved.path)
      throw new Error(`two modules loaded on demand are both named ${name}: ${bundles.get(name)}, ${resolved.path}`);
    bundles.set(name, resolved.path);
    return `${prefix}${name}.mjs`;
  });
}

/**
 * An esbuild plugin that leaves every import() of a module (not Node's own) to a file of its own: `place(args,
 * resolved)` records the module and says which file the import loads instead.
 */
function sendApart(name, place) {
  const plugin = {
    name,
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        // The marker: the resolve below must not come back here.
        if (args.kind !== 'dynamic-import' || args.path.startsWith('node:') || args.pluginData === plugin)
          return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: plugin,
        });
        if (resolved.errors.length) return { errors: resolved.errors };
        return { path: place(args, resolved), external: true };
      });
    },
  };
  return plugin;
}

/**
 * What inspect loads on demand (the public suffix list) is bundled apart for it, as CommonJS like inspect's own
 * bundle (below), each with its own copy of the pure helpers it shares with inspect, so that inspect's bundle is
 * one file. Collects the modules in `entries` for a later build.
 */
function lazyApart(entries) {
  return sendApart('lazy-apart', (args, resolved) => {
    const name = `inspect-${args.path.startsWith('.') ? basename(resolved.path).replace(/\.[jt]s$/, '') : args.path}`;
    entries[`chunks/${name}`] = resolved.path;
    return `./chunks/${name}.cjs`;
  });
}

/** The names of the bundles apart that `result`'s output imports (what survived tree-shaking), among `bundles`. */
function lazyImports(result, bundles) {
  return Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports
      .filter((i) => i.external && i.kind === 'dynamic-import')
      .map((i) => basename(i.path, '.mjs'))
      .filter((name) => bundles.has(name)),
  );
}

const common = {
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
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
  // CommonJS dependencies (ws, http-mitm-proxy) call require() for Node's built-in modules.
  banner: { js: REQUIRE_BANNER },
};

/**
 * `inspect` has a bundle of its own (dist/inspect-fast.cjs), which the entry file runs when the fast parser may
 * take the command line (src/cli/main.ts): built apart, it is one file plus what inspect loads on demand, not the
 * dozens of chunks its modules share with other commands in the main build (each costs resolving, reading and
 * linking). It is CommonJS because src/cli/cached-script.ts runs it with V8's code cache, which Node 20 offers
 * for scripts, not ES modules. What it imports on demand is required instead (import() in a script needs an
 * experimental vm option that prints a warning), so the parts loaded apart are CommonJS too.
 */
const commonJs = {
  ...common,
  format: 'cjs',
  splitting: false,
  outExtension: { '.js': '.cjs' },
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__tlswitnessUrl' },
  banner: { js: 'var __tlswitnessUrl=require("node:url").pathToFileURL(__filename).href;' },
  // Short names: a quarter less text to scan and compile on every run (~2 ms of CPU measured); the
  // whitespace is gone already, so stack traces were file offsets anyway (TLSWITNESS_MINIFY=0 keeps both).
  minifyIdentifiers: process.env.TLSWITNESS_MINIFY !== '0',
};

// Old bundles apart would stay behind (and dist/inspect-fast.mjs, the ES module inspect's bundle once was).
await rm('dist/chunks', { recursive: true, force: true });
await rm('dist/inspect-fast.mjs', { force: true });
// The entry file was an ES module (dist/tlswitness.mjs) before it was CommonJS.
await rm('dist/tlswitness.mjs', { force: true });
const lazyEntries = {};
const bundles = new Map();
const plugins = (prefix) => [apart(prefix, bundles), yargsStartUp, libraryCaStandIn, absentOptionalAddons];
const results = await Promise.all([
  // The entry file is CommonJS: an ES module entry starts Node's ES module loader on every run (~6 ms of CPU
  // for inspect, measured), and its imports of built-ins built their ES module facades, which read every lazy
  // getter (node:crypto's loaded all of Web Crypto). What it loads with import() (yargs and the commands, ES
  // modules) starts that loader when a command line needs it.
  build({
    ...common,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    entryPoints: { tlswitness: 'src/cli/main.ts' },
    plugins: plugins('./chunks/'),
    define: { 'import.meta.url': '__tlswitnessUrl' },
    banner: { js: 'var __tlswitnessUrl=require("node:url").pathToFileURL(__filename).href;' },
  }),
  (async () => {
    const inspect = await build({
      ...commonJs,
      entryPoints: { 'inspect-fast': 'src/cli/inspect-fast.ts' },
      plugins: [lazyApart(lazyEntries), libraryCaStandIn, absentOptionalAddons],
    });
    const files = Object.keys(inspect.metafile.outputs).filter((file) => file.endsWith('.cjs'));
    if (files.length !== 1) throw new Error(`the inspect bundle is ${files.length} files, not one: ${files.join(' ')}`);
    // node:vm runs it without a loader for import() (src/cli/cached-script.ts): everything it loads is required.
    if (/(?<![\w$.])import\(/.test(await readFile(files[0], 'utf8'))) throw new Error(`${files[0]} calls import()`);
    // Only what survived tree-shaking (a dynamic import in a function inspect never calls is dropped).
    const imported = new Set(inspect.metafile.outputs[files[0]].imports.map((i) => i.path));
    const lazy = await build({
      ...commonJs,
      entryPoints: Object.fromEntries(Object.entries(lazyEntries).filter(([name]) => imported.has(`./${name}.cjs`))),
      plugins: [libraryCaStandIn, absentOptionalAddons],
    });
    return [inspect, lazy];
  })(),
]).then((built) => built.flat());
// Then what those load on demand, and what that loads, until nothing new is imported.
for (const built = new Set(); ;) {
  const next = [...new Set(results.flatMap((result) => lazyImports(result, bundles)))].filter(
    (name) => !built.has(name),
  );
  if (!next.length) break;
  next.forEach((name) => built.add(name));
  const entry = (name) => ({
    ...common,
    entryPoints: { [`chunks/${name}`]: bundles.get(name) },
    plugins: plugins('./'),
  });
  results.push(...(await Promise.all(next.map((name) => build(entry(name))))));
}
const outputs = Object.fromEntries(
  results
    .flatMap((result) => Object.entries(result.metafile.outputs))
    .map(([file, output]) => [file, Object.keys(output.inputs)]),
);
const inputs = [...new Set(Object.values(outputs).flat())];
const sources = new Map(
  (await readdir('src', { recursive: true }))
    .filter((path) => path.endsWith('.ts'))
    .map((path) => join('src', path))
    .map((path) => [path, readFileSync(path, 'utf8')]),
);
const problems = copyProblems(outputs, sources);
if (problems.length) throw new Error(`modules with copies in more than one file of dist/:\n${problems.join('\n')}`);
await dropUnusedBanners(Object.keys(outputs));
await chmod(outfile, 0o755);
await writeFile('dist/THIRD-PARTY-LICENSES.txt', thirdPartyLicenses(inputs));
