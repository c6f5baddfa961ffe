// The differential corpus's own machinery: DER primitives, the certificate builder (its output is what both
// oracles and the verifier read, so it must say exactly what the spec says) and reproducible mutations.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import { namedChains } from '../../scripts/verify-corpus/chains.js';
import { integer, ipBytes, ipRangeBytes, oid, time } from '../../scripts/verify-corpus/der.js';
import { buildChain } from '../../scripts/verify-corpus/der-builder.js';
import { createKeyPool, type KeyPool } from '../../scripts/verify-corpus/keys.js';
import { mutatedChains } from '../../scripts/verify-corpus/mutate.js';
import { setExt, template } from '../../scripts/verify-corpus/templates.js';

let keys: KeyPool;
test.before(async () => {
  keys = await createKeyPool();
});

const NOW = new Date('2026-06-01T00:00:00Z');

test('INTEGER, OID, IP and time encodings', (t) => {
  const hex = (b: Buffer) => b.toString('hex');
  t.deepEqual(
    [0, 127, 128, 256, -1, -128, -129].map((n) => hex(integer(n))),
    ['020100', '02017f', '02020080', '02020100', '0201ff', '020180', '0202ff7f'],
  );
  t.is(hex(oid('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
  t.is(hex(ipBytes('2001:db8::1')), '20010db8000000000000000000000001');
  t.is(hex(ipBytes('::ffff:10.1.2.3')), '00000000000000000000ffff0a010203');
  t.is(hex(ipBytes('1:2:3:4:5:6:7:8')), '00010002000300040005000600070008');
  t.is(hex(ipRangeBytes('10.0.0.0/8')), '0a000000ff000000');
  t.is(hex(ipRangeBytes('2001:db8::/33')).slice(32), 'ffffffff800000000000000000000000');
  t.is(time(new Date('2049-12-31T23:59:59Z'))[0], 0x17, 'UTCTime through 2049');
  t.is(time(new Date('2050-01-01T00:00:00Z'))[0], 0x18, 'GeneralizedTime from 2050');
});

test('a template chain builds into certificates that link and carry the spec', (t) => {
  const chain = buildChain(template('t', 'test', { depth: 1, host: '10.1.2.3' }), keys, NOW);
  const [leaf, int] = chain.sent.map((der) => new X509Certificate(der)) as [X509Certificate, X509Certificate];
  const root = new X509Certificate(chain.anchors[0]!);
  t.true(leaf.checkIssued(int) && leaf.verify(int.publicKey));
  t.true(int.checkIssued(root) && int.verify(root.publicKey));
  t.true(root.verify(root.publicKey));
  t.is(leaf.subjectAltName, 'IP Address:10.1.2.3');
  t.is(new Date(leaf.validFrom).getTime(), NOW.getTime() - 30 * 86_400_000);
  t.true(int.ca);
  t.is(chain.leafKeyPem, keys.get(chain.spec.certs.find((c) => c.id === 'leaf')!.key)!.keyPem);
});

test('extensions are written as asked: criticality, corruption, raw values', (t) => {
  const spec = template('t', 'test', {
    edit: (c) => {
      setExt(c.leaf!, { type: 'raw', oid: '1.3.6.1.4.1.55555.1.1', hex: '0500', critical: true });
      setExt(c.leaf!, { type: 'san', names: [{ dns: 'a.example.com' }], corrupt: 'trailing' });
      setExt(c.int1!, { type: 'bc', critical: true, ca: true, pathLen: -1 });
    },
  });
  const chain = buildChain(spec, keys, NOW);
  const leafHex = chain.sent[0]!.toString('hex');
  // Extension { OID 1.3.6.1.4.1.55555.1.1, critical TRUE, OCTET STRING { NULL } }
  t.true(leafHex.includes('06' + '0a' + '2b0601040183b2030101' + '0101ff' + '0402' + '0500'));
  // SAN value followed by two zero bytes inside the OCTET STRING
  t.true(leafHex.includes('0413' + '300f820d' + Buffer.from('a.example.com').toString('hex') + '0000'));
  // basicConstraints { cA TRUE, pathLen -1 }
  t.true(chain.sent[1]!.toString('hex').includes('0408' + '3006' + '0101ff' + '0201ff'));
});

test('the corpus has at least 150 uniquely named chains, and mutations reproduce from their seed', (t) => {
  const named = namedChains();
  t.true(named.length >= 150);
  t.is(new Set(named.map((c) => c.name)).size, named.length);
  const a = mutatedChains(7, 50);
  t.deepEqual(mutatedChains(7, 50), a);
  t.notDeepEqual(
    mutatedChains(8, 50).map((c) => c.name),
    a.map((c) => c.name),
  );
  for (const spec of [...named, ...a]) t.notThrows(() => buildChain(spec, keys, NOW), spec.name);
});
