// The house rules as lint: which layer may import which, the size limits for src/, and
// typescript-eslint's recommended correctness rules (not type-aware, so a run stays fast).
import tseslint from 'typescript-eslint';

// Folders a lower layer must not reach into. Patterns match the relative specifier as written.
const above = (...folders) => folders.flatMap((folder) => [`../${folder}/*`, `../../${folder}/*`]);

const trustMayNotImport = above('diagnose', 'record', 'report', 'tui', 'proxy', 'cli', 'net', 'tls', 'doctor', 'ca');
const judgementMayNotImport = above('net', 'proxy', 'tls', 'cli');

// Only the adapter talks to http-mitm-proxy, so a library upgrade touches one file.
const libraryAdapter = 'src/proxy/library-adapter.ts';

// Only the screen module touches blessed, so the rest of the TUI is testable as plain data.
const blessedOwner = 'src/tui/screen.ts';

const noLibrary = { name: 'http-mitm-proxy', message: `Only ${libraryAdapter} may import http-mitm-proxy.` };
const noBlessed = { name: 'blessed', message: `Only ${blessedOwner} may import blessed.` };

const restrict = (groupsMessage, group, paths) => ({
  'no-restricted-imports': [
    'error',
    {
      paths,
      patterns: group.length === 0 ? [] : [{ group, message: groupsMessage }],
    },
  ],
});

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'certs/**', 'test/fixtures/**', 'tlswitness-evidence/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: {
      // Unused catch bindings and `_`-prefixed placeholders are deliberate here (callbacks with fixed signatures).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // A `let` that a closure reads before its one assignment (a server handler set up before the
      // value it serves exists) cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read the CLI's JSON output ad hoc; its shape is checked against the schema elsewhere.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // Every src/ file: no http-mitm-proxy, no blessed (the owners are re-allowed below).
  {
    files: ['src/**/*.ts'],
    ignores: [libraryAdapter, blessedOwner],
    rules: restrict('', [], [noLibrary, noBlessed]),
  },
  {
    files: [libraryAdapter],
    rules: restrict('', [], [noBlessed]),
  },
  {
    files: [blessedOwner],
    rules: restrict('', [], [noLibrary]),
  },
  // Layers. These blocks come after the general one, so they repeat its path bans (a later
  // no-restricted-imports replaces an earlier one for the same file).
  {
    files: ['src/trust/**/*.ts'],
    rules: restrict('src/trust/ imports nothing above it: move the shared type to src/types.ts.', trustMayNotImport, [
      noLibrary,
      noBlessed,
    ]),
  },
  {
    files: ['src/diagnose/**/*.ts', 'src/report/**/*.ts', 'src/tui/**/*.ts'],
    ignores: [blessedOwner],
    rules: restrict(
      'Judgements and views never import the network, TLS or proxy layers: pass the data in.',
      judgementMayNotImport,
      [noLibrary, noBlessed],
    ),
  },
  {
    files: [blessedOwner],
    rules: restrict(
      'Judgements and views never import the network, TLS or proxy layers: pass the data in.',
      judgementMayNotImport,
      [noLibrary],
    ),
  },
  // Size: a file over 300 lines or a function over 80 does more than one job. Raw lines, blanks and
  // comments included, so the limit is what `wc -l` and an editor show.
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 300 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
);
