// Which clients' security levels refuse a path's keys and signatures, on hand-made paths.
import test from 'ava';
import { judgeWeakCrypto, refusalAt, type PolicyCert } from '../../src/diagnose/weak-crypto.js';

const cert = (subject: string, key: [string, number, number], signature: [string, number]): PolicyCert => ({
  subject,
  keyType: key[0],
  keyBits: key[1],
  keySecurityBits: key[2],
  signatureAlgorithm: signature[0],
  signatureSecurityBits: signature[1],
});
const SHA256_RSA: [string, number] = ['sha256WithRSAEncryption', 128];
const SHA256_EC: [string, number] = ['ecdsa-with-SHA256', 128];
const SHA1_EC: [string, number] = ['ecdsa-with-SHA1', 63];
const P256: [string, number, number] = ['EC', 256, 128];
const RSA2048: [string, number, number] = ['RSA', 2048, 112];
const RSA1024: [string, number, number] = ['RSA', 1024, 80];
const RSA768: [string, number, number] = ['RSA', 768, 0];
const root = cert('CN=Root', RSA2048, SHA1_EC); // a root's own signature is never judged
const intermediate = cert('CN=CA 1', P256, SHA256_RSA);

test('a strong path: no client refuses, no judgement', (t) => {
  t.is(judgeWeakCrypto([cert('CN=leaf', P256, SHA256_EC), intermediate, root], true, 2), null);
  t.is(judgeWeakCrypto([cert('CN=leaf', RSA2048, SHA256_EC), intermediate, root], true, null), null);
});

test('RSA-1024 leaf: Node (level 1) accepts, this machine at level 2 refuses with "EE certificate key too weak"', (t) => {
  const judged = judgeWeakCrypto([cert('CN=leaf', RSA1024, SHA256_EC), intermediate, root], true, 2)!;
  t.deepEqual(
    judged.weakCrypto.refusedBy.map((r) => [r.client, r.message]),
    [["this machine's OpenSSL clients (level 2: curl, Python)", 'EE certificate key too weak']],
  );
  t.deepEqual(
    judged.weakCrypto.findings.map((f) => [f.depth, f.kind, f.text]),
    [[0, 'key', 'a 1024-bit RSA key (80 security bits)']],
  );
  t.deepEqual(
    judged.warnings.map((w) => w.code),
    ['weak-crypto', 'weak-crypto-browsers'],
  );
});

test('RSA-1024 on a level-1 machine (or an unknown one): the Debian/Ubuntu/RHEL 9 clients are named instead', (t) => {
  for (const level of [1, null]) {
    const judged = judgeWeakCrypto([cert('CN=leaf', RSA1024, SHA256_EC), intermediate, root], true, level)!;
    t.deepEqual(
      judged.weakCrypto.refusedBy.map((r) => r.client),
      ['Debian/Ubuntu/RHEL 9 OpenSSL clients (level 2: curl, Python)'],
    );
    t.is(judged.weakCrypto.opensslLevel, level);
  }
});

test('SHA-1 leaf signature: Node and level 2 refuse ("CA signature digest algorithm too weak"), Go, browsers and Java warned', (t) => {
  const judged = judgeWeakCrypto([cert('CN=leaf', P256, SHA1_EC), intermediate, root], true, 2)!;
  t.deepEqual(
    judged.weakCrypto.refusedBy.map((r) => [r.level, r.message, r.depth]),
    [
      [1, 'CA signature digest algorithm too weak', 0],
      [2, 'CA signature digest algorithm too weak', 0],
    ],
  );
  t.deepEqual(
    judged.warnings.map((w) => w.code),
    ['weak-crypto', 'weak-crypto-go', 'weak-crypto-browsers', 'weak-crypto-java', 'weak-crypto-gnutls'],
  );
  t.regex(judged.warnings.find((w) => w.code === 'weak-crypto-go')!.message, /"CN=leaf"/);
  t.false(
    judged.warnings.some((w) => w.message.includes('CN=Root')),
    "the anchor's own SHA-1 signature is not judged",
  );
});

test("OpenSSL's order: the leaf key first, then each CA key and each signature below the anchor", (t) => {
  // Leaf key before the leaf's signature.
  t.is(
    refusalAt([cert('CN=leaf', RSA768, SHA1_EC), intermediate, root], true, 1)?.message,
    'EE certificate key too weak',
  );
  // The leaf's signature (depth 0) before the CA's key (depth 1).
  t.deepEqual(refusalAt([cert('CN=leaf', P256, SHA1_EC), cert('CN=CA', RSA1024, SHA256_RSA), root], true, 2), {
    depth: 0,
    subject: 'CN=leaf',
    kind: 'signature',
    text: 'a signature made with ecdsa-with-SHA1 (63 security bits)',
    securityBits: 63,
    message: 'CA signature digest algorithm too weak',
  });
  // The anchor's key counts (67 at its depth); its signature does not.
  t.deepEqual(
    refusalAt([cert('CN=leaf', P256, SHA256_EC), intermediate, cert('CN=Root', RSA1024, SHA1_EC)], true, 2)?.[`depth`],
    2,
  );
  t.is(refusalAt([cert('CN=leaf', P256, SHA256_EC), intermediate, cert('CN=Root', RSA2048, SHA1_EC)], true, 2), null);
  // Without an anchor the top certificate's signature is judged too.
  t.is(refusalAt([cert('CN=leaf', P256, SHA256_EC), cert('CN=CA', P256, SHA1_EC)], false, 1)?.depth, 1);
  t.is(refusalAt([cert('CN=leaf', RSA1024, SHA1_EC)], true, 0), null, 'level 0 refuses nothing');
});

test('level 3 (128 bits) refuses RSA-2048, which level 2 accepts', (t) => {
  const path = [cert('CN=leaf', RSA2048, SHA256_EC), intermediate, root];
  t.is(judgeWeakCrypto(path, true, 2), null);
  const judged = judgeWeakCrypto(path, true, 3)!;
  t.deepEqual(
    judged.weakCrypto.refusedBy.map((r) => r.level),
    [3],
  );
  t.deepEqual(
    judged.weakCrypto.findings.map((f) => f.subject),
    ['CN=leaf', 'CN=Root'],
    "the anchor's RSA-2048 key too",
  );
});

test('every weak certificate is listed, not only the first one a client stops at', (t) => {
  const judged = judgeWeakCrypto(
    [cert('CN=leaf', RSA1024, SHA1_EC), cert('CN=CA', RSA1024, SHA256_RSA), root],
    true,
    2,
  )!;
  t.deepEqual(
    judged.weakCrypto.findings.map((f) => [f.depth, f.kind]),
    [
      [0, 'key'],
      [0, 'signature'],
      [1, 'key'],
    ],
  );
  t.deepEqual(
    judged.weakCrypto.refusedBy.map((r) => r.message),
    ['CA signature digest algorithm too weak', 'EE certificate key too weak'],
  );
});
