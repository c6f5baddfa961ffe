#!/usr/bin/env node
// The tlswitness binary: `inspect` with flags the fast parser is sure of runs without loading yargs
// (inspect-fast.ts, a bundle of its own); every other command line goes through yargs (yargs-main.ts).
const argv = process.argv.slice(2);
const fast = argv[0] === 'inspect' && (await (await import('./inspect-fast.js')).runFastInspect(argv));
if (!fast) await (await import('./yargs-main.js')).runWithYargs(argv);
