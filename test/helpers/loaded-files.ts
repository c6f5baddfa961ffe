// Which JavaScript files a child process loaded: a module hook, registered by an --import preload, lists every
// file:// module it loads (the bundle's entry and chunks), for tests of what a command line compiles.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface LoadedFilesWatch {
  /** NODE_OPTIONS for the child. */
  nodeOptions: string;
  /** The file URLs it loaded, in order, once it has exited. */
  loaded(): string[];
}

export function watchLoadedFiles(): LoadedFilesWatch {
  const dir = mkdtempSync(join(tmpdir(), 'tlswitness-loaded-files-'));
  const out = join(dir, 'loaded.txt');
  writeFileSync(out, '');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, url + '\\n');
  return next(url, context);
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
  return {
    nodeOptions: `--import ${pathToFileURL(join(dir, 'register.mjs')).href}`,
    loaded: () => readFileSync(out, 'utf8').split('\n').filter(Boolean),
  };
}
