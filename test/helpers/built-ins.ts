// Which of Node's built-in modules a child process loaded: a preload writes Node's own list as it exits.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BuiltInsWatch {
  /** NODE_OPTIONS for the child. */
  nodeOptions: string;
  /** The built-in modules it loaded ("http2", "dns/promises"), once it has exited. */
  loaded(): string[];
}

export function watchBuiltIns(): BuiltInsWatch {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-built-ins-'));
  const preload = join(dir, 'built-ins.cjs');
  const out = join(dir, 'built-ins.txt');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`,
  );
  return {
    nodeOptions: `--require ${preload}`,
    loaded: () =>
      readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('NativeModule '))
        .map((line) => line.slice('NativeModule '.length)),
  };
}
