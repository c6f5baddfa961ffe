// `tlswitness inspect --html FILE` as a user runs it: the built binary, a real fixture server, the page on disk.
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeFixtures, runCli, startScenarioServer, type Fixtures } from '../helpers/fixtures.js';

let fixtures: Fixtures;
test.before(async () => {
  fixtures = await makeFixtures();
});
test.after.always(async () => fixtures?.close());

function baseArgs(port: number): string[] {
  const host = fixtures.pki.scenarios.incomplete!.host!;
  return [
    'inspect',
    `${host}:${port}`,
    '--public-roots',
    fixtures.pki.files['public-roots.pem']!,
    '--resolve',
    `${host}:${port}:127.0.0.1`,
  ];
}

test('--html writes the chain page (owner-only) beside the usual output; an unwritable path is a one-line error', async (t) => {
  const server = await startScenarioServer(fixtures.pki.scenarios.incomplete!);
  const page = join(fixtures.dir, 'incomplete.html');
  try {
    const result = await runCli([...baseArgs(server.port), '--html', page]);
    t.is(result.code, 1);
    t.regex(result.stdout, /Certificate chain as sent \(1\):/);
    t.is(statSync(page).mode & 0o777, 0o600);
    const html = readFileSync(page, 'utf8');
    t.regex(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    t.regex(
      html,
      /<div class="gap" data-box="gap"><span class="tag bad">missing intermediate: the server did not send it<\/span><div>CN=Fixture Public CA 1/,
    );
    t.regex(
      html,
      /<table data-table="them-or-us">.*against the public roots from .*public-roots\.pem \(--public-roots\)<\/td><td>fails: UNABLE_TO_VERIFY_LEAF_SIGNATURE/s,
    );
    const bad = await runCli([...baseArgs(server.port), '--html', join(fixtures.dir, 'no-such-dir', 'x.html')]);
    t.is(bad.code, 2);
    t.regex(bad.stderr, /^Error: --html .*no-such-dir\/x\.html: ENOENT/);
  } finally {
    await server.close();
  }
});
