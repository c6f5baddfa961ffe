// Lists the packages esbuild bundled into dist/ with their licence texts: their code ships inside
// tlswitness.cjs rather than as installed dependencies, and MIT, ISC and BSD all ask that the notice
// travel with the copy.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package directory of a bundled input path (the innermost node_modules/<name> or node_modules/@scope/<name>). */
function packageDir(input) {
  const matches = [...input.matchAll(/node_modules\/(?:@[^/]+\/)?[^/]+/g)];
  const last = matches.at(-1);
  return last ? input.slice(0, last.index + last[0].length) : null;
}

function licenceText(dir) {
  const names = readdirSync(dir);
  const file = names.find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  if (file) return readFileSync(join(dir, file), 'utf8').trim();
  // Some packages (http-mitm-proxy, semaphore) carry their notice only in the README's License section.
  const readme = names.find((name) => /^readme(\.|$)/i.test(name));
  const text = readme ? readFileSync(join(dir, readme), 'utf8') : '';
  const start = text.search(/^(#+ *)?licen[cs]e *$/im);
  if (start < 0) return null;
  const rest = text.slice(start).split('\n');
  const end = rest.findIndex((line, i) => i > 1 && /^#/.test(line));
  return rest
    .slice(0, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

/** `inputs` are esbuild metafile input paths, relative to the working directory. */
export function thirdPartyLicenses(inputs) {
  const dirs = new Set(inputs.map(packageDir).filter((dir) => dir !== null));
  const entries = [...dirs].map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return { id: `${pkg.name}@${pkg.version}`, license: pkg.license ?? 'see text', text: licenceText(dir) };
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : 1));
  const sections = entries.map(
    (e) =>
      `${e.id} (${e.license})\n\n${e.text ?? `No licence file in the package; its package.json says ${e.license}.`}`,
  );
  return `Third-party code bundled into tlswitness.cjs and its chunks\n${'='.repeat(60)}\n\n${sections.join(`\n\n${'-'.repeat(60)}\n\n`)}\n`;
}
