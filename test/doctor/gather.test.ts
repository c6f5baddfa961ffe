// doctor's gathering of the local CA: a CA the proxy would refuse is reported as unusable, not trusted.
import test from 'ava';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caPaths, ensureLocalCa } from '../../src/ca/local-ca.js';
import { checkLocalCa } from '../../src/doctor/local-ca.js';
import { gatherSnapshot } from '../../src/doctor/gather.js';

const newDir = () => mkdtempSync(join(tmpdir(), 'tlswitness-gather-'));

async function localCaOf(certsDir: string) {
  // No tools on PATH: only files are read.
  const snapshot = await gatherSnapshot({
    env: { PATH: join(certsDir, 'no-tools') },
    platform: 'linux',
    cwd: certsDir,
    certsDir,
    extraCaFiles: [],
    timeoutMs: 2000,
  });
  return snapshot.localCa;
}

test("a whole CA is gathered with its certificate; one whose certificate is another CA's, or whose key is EC or garbage, is unusable", async (t) => {
  const [good, other] = [newDir(), newDir()];
  await Promise.all([ensureLocalCa(good), ensureLocalCa(other)]);
  const whole = await localCaOf(good);
  t.is(whole.error, null);
  t.regex(whole.cert!.subject, /^CN=tlswitness CA /);

  const breaks: Array<[string, (dir: string) => void, RegExp]> = [
    [
      "another CA's certificate",
      (dir) => copyFileSync(caPaths(other).cert, caPaths(dir).cert),
      /does not belong to its key/,
    ],
    [
      'an EC key',
      (dir) =>
        writeFileSync(
          caPaths(dir).key,
          generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
        ),
      /is an EC key, and the proxy signs with RSA keys only/,
    ],
    ['a garbage key', (dir) => writeFileSync(caPaths(dir).key, 'garbage\n'), /is not a readable private key/],
  ];
  for (const [label, breakIt, says] of breaks) {
    const dir = newDir();
    await ensureLocalCa(dir);
    breakIt(dir);
    const facts = await localCaOf(dir);
    t.is(facts.cert, null, label);
    t.regex(facts.error ?? '', says, label);
    const [found] = checkLocalCa(facts, new Date());
    t.is(found!.severity, 'warning', label);
    t.is(found!.action, `move ${dir}/ca away and run tlswitness ca init`, label);
  }
});
