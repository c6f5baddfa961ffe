// The parsed-certificate cache: one object per DER while kept, bounded by count and bytes, never
// holding a hostile certificate's bulk or the handshake message a certificate was read from.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { CertificateCache } from '../../src/trust/certificate-cache.js';
import { ParsedCertificate, spkiSha256 } from '../../src/trust/certificate.js';
import { caseCert, type CaseCert } from '../helpers/verify-cases.js';

const certs: Promise<CaseCert[]> = (async () => {
  const root = await caseCert('Cache Root', null, { isCA: true });
  const leaves = await Promise.all(
    Array.from({ length: 5 }, (_, i) => caseCert(`h${i}.cache.test`, root, { dnsNames: [`h${i}.cache.test`] })),
  );
  return [root, ...leaves];
})();

const LIMITS = { maxEntries: 1_000, maxBytes: 1 << 20, maxCertificateBytes: 64 * 1024 };

test('the same DER, from any buffer, is one parsed certificate; a hit is its own copy of the bytes', async (t) => {
  const [root, leaf] = await certs;
  const cache = new CertificateCache(LIMITS);
  // A certificate read from a handshake is a view of the whole message.
  const message = Buffer.concat([Buffer.alloc(100), leaf!.der, Buffer.alloc(5000)]);
  const view = message.subarray(100, 100 + leaf!.der.length);
  const first = cache.parse(view);
  t.is(cache.parse(Buffer.from(leaf!.der)), first);
  t.not(cache.parse(root!.der), first);
  t.is(cache.size, 2);
  t.true(first.der.equals(leaf!.der));
  t.is(first.der.buffer.byteLength, leaf!.der.length, 'the message is not kept alive by the cache');
  t.is(cache.bytes, leaf!.der.length + root!.der.length);
});

test('bounded by count: the least recently used goes first', async (t) => {
  const all = await certs;
  const cache = new CertificateCache({ ...LIMITS, maxEntries: 3 });
  const [a, b, c, d] = all.map((cert) => cert.der);
  const parsedA = cache.parse(a!);
  const parsedB = cache.parse(b!);
  cache.parse(c!);
  t.is(cache.parse(a!), parsedA, 'a hit makes A the newest');
  cache.parse(d!);
  t.is(cache.size, 3);
  t.is(cache.parse(a!), parsedA);
  t.not(cache.parse(b!), parsedB, 'B was the least recently used: evicted, parsed again');
  t.is(cache.size, 3);
});

test('bounded by bytes; a certificate above the size cap is parsed but never kept', async (t) => {
  const all = await certs;
  const size = all[1]!.der.length;
  const cache = new CertificateCache({ ...LIMITS, maxBytes: size * 2 + 10 });
  for (const cert of all.slice(1)) cache.parse(cert.der);
  t.true(cache.bytes <= size * 2 + 10);
  t.is(cache.size, 2);
  const tiny = new CertificateCache({ ...LIMITS, maxCertificateBytes: size - 1 });
  const parsed = tiny.parse(all[1]!.der);
  t.is(parsed.subject, 'CN=h0.cache.test');
  t.is(tiny.size, 0);
  t.is(tiny.bytes, 0);
});

test('hostile input cannot grow it: unparseable DER throws and is not kept; a flood of distinct certificates stays within the bounds', async (t) => {
  const all = await certs;
  const cache = new CertificateCache({ ...LIMITS, maxEntries: 4, maxBytes: 1 << 20 });
  t.throws(() => cache.parse(Buffer.from('3003020100', 'hex')));
  t.is(cache.size, 0);
  // The same certificates again and again, and distinct ones past the bound: never more than 4 kept.
  for (let round = 0; round < 50; round++) for (const cert of all) cache.parse(cert.der);
  t.is(cache.size, 4);
  t.true(cache.bytes <= all.reduce((sum, cert) => sum + cert.der.length, 0));
});

test('what a certificate keeps equals what is read afresh: key, SPKI hash, signatures per issuer, the name view', async (t) => {
  const [root, leaf, other] = await certs;
  const cache = new CertificateCache(LIMITS);
  const parsedLeaf = cache.parse(leaf!.der);
  const parsedRoot = cache.parse(root!.der);
  const parsedOther = cache.parse(other!.der);
  const x509 = new X509Certificate(leaf!.der);
  t.is(parsedLeaf.spkiSha256, spkiSha256(x509));
  t.deepEqual(parsedLeaf.keyDescription, { keyType: 'EC', keyBits: 256 });
  // Asked twice, each issuer gets its own answer (never the other's remembered one).
  for (let i = 0; i < 2; i++) {
    t.true(parsedLeaf.signedBy(parsedRoot));
    t.false(parsedLeaf.signedBy(parsedOther));
  }
  t.is(parsedLeaf.peerCertificate.subjectaltname, x509.subjectAltName);
  t.is(parsedLeaf.pem, x509.toString());
  t.false(new ParsedCertificate(leaf!.der).signedBy(new ParsedCertificate(other!.der)));
});
