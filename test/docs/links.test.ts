// Every relative link in the README and docs/ resolves: the file exists in the repository and, for `#anchor`, the
// heading does (GitHub's anchors). The docs stand alone: no link or mention leaves the repository for a contract
// a clone does not hold.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? markdownFiles(path) : name.endsWith('.md') ? [path] : [];
  });
}

const pages = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];

/** The text outside fenced code blocks and inline code, where `[x](y)` is a link. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const match of text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = match[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n ? `${base}-${n}` : base);
  }
  return result;
}

function links(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

test('GitHub anchors: punctuation dropped, code and links kept as text, repeats numbered', (t) => {
  t.deepEqual(
    [...anchors('# inspect: one handshake, like `openssl s_client`\n## A\n## A\n```sh\n# not a heading\n```\n')],
    ['inspect-one-handshake-like-openssl-s_client', 'a', 'a-1'],
  );
});

test('every relative link in the README and docs/ names a file that exists, and a heading that exists', (t) => {
  let checked = 0;
  for (const page of pages) {
    const text = readFileSync(page, 'utf8');
    const from = relative(ROOT, page);
    for (const link of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? resolve(dirname(page), decodeURI(path)) : page;
      const inRepo = relative(ROOT, target);
      t.false(inRepo.startsWith('..'), `${from}: ${link} leaves the repository`);
      if (!existsSync(target)) {
        t.fail(`${from}: ${link}: no such file`);
        continue;
      }
      checked++;
      if (anchor && target.endsWith('.md'))
        t.true(anchors(readFileSync(target, 'utf8')).has(anchor), `${from}: ${link}: no heading for #${anchor}`);
    }
  }
  t.true(checked > 50, `only ${checked} links checked`);
});

test('the README and docs/ refer to no contract outside the repository and to no work still on its way', (t) => {
  for (const page of pages) {
    const text = readFileSync(page, 'utf8');
    const from = relative(ROOT, page);
    t.notRegex(text, /\.\.\/shared|\/work\/|\bSPEC\b/, `${from} points outside the repository`);
    t.notRegex(text, /on its way/i, `${from} announces work that is not there`);
  }
});
