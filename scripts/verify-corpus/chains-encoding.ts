// Named chains: odd encodings a server can still send: time spellings, explicit EC parameters, signature
// algorithm identifiers that disagree, proxy certificates, names OpenSSL cannot convert, and constraint
// checks too large to run.
import { PROXY_CERT_INFO, PROXY_CERT_INFO_OID } from './extension-values.js';
import type { CertSpec, ChainSpec, GeneralNameSpec, SubtreeSpec } from './spec.js';
import { cn, dropExt, setExt, template } from './templates.js';

type Certs = Record<string, CertSpec>;
const e = (name: string, edit: (c: Certs) => void, extra: Partial<Parameters<typeof template>[2]> = {}) =>
  template(name, 'encoding', { edit, ...extra });

export function encodingChains(): ChainSpec[] {
  const many = 1025; // 1025 names x 1025 subtrees > 2^20, OpenSSL's NAME_CHECK_MAX
  const manyNames: GeneralNameSpec[] = Array.from({ length: many }, (_, i) => ({
    dns: i === 0 ? 'www.example.com' : `h${i}.example.com`,
  }));
  const manySubtrees: SubtreeSpec[] = Array.from({ length: many }, (_, i) => ({ base: { dns: `s${i}.example.com` } }));
  return [
    // Key types beyond P-256/RSA/Ed25519, as leaf (the TLS server key too) and as issuer.
    ...['p521', 'k256', 'p192', 's112', 'bp256', 'ed448', 'rsapss', 'dsa1024'].flatMap((key) => [
      e(`key-${key}-leaf`, (c) => (c.leaf!.key = key)),
      e(`key-${key}-int`, (c) => (c.int1!.key = key)),
    ]),
    e('key-s112-root', (c) => (c.root!.key = 's112')),
    e('key-dsa1024-int-sha1', (c) => ((c.int1!.key = 'dsa1024'), (c.leaf!.digest = 'sha1'))),
    e('time-generalized-before-2050', (c) => (c.leaf!.timeForm = 'generalized')),
    e('time-utc-no-seconds', (c) => (c.leaf!.timeForm = 'no-seconds')),
    e('time-utc-offset', (c) => (c.leaf!.timeForm = 'offset')),
    e('time-generalized-fraction', (c) => (c.leaf!.timeForm = 'fraction')),
    e('time-garbage-not-before-leaf', (c) => (c.leaf!.timeForm = 'garbage-before')),
    e('time-garbage-not-after-leaf', (c) => (c.leaf!.timeForm = 'garbage-after')),
    e('time-garbage-not-after-int', (c) => (c.int1!.timeForm = 'garbage-after')),
    e('time-garbage-not-before-root', (c) => (c.root!.timeForm = 'garbage-before')),
    e(
      'time-no-seconds-expired-int',
      (c) => ((c.int1!.timeForm = 'no-seconds'), (c.int1!.notBefore = -400), (c.int1!.notAfter = -3)),
    ),
    e('ec-explicit-params-leaf', (c) => (c.leaf!.explicitCurve = true)),
    e('ec-explicit-params-int', (c) => (c.int1!.explicitCurve = true)),
    e('ec-explicit-params-root', (c) => (c.root!.explicitCurve = true)),
    e('ec-explicit-params-leaf-only-chain', (c) => (c.leaf!.explicitCurve = true), { depth: 0 }),
    e('sigalg-outer-differs-leaf', (c) => (c.leaf!.sigAlgOid = { oid: '1.2.840.10045.4.3.3', where: 'outer' })),
    e('sigalg-both-claim-sha384-leaf', (c) => (c.leaf!.sigAlgOid = { oid: '1.2.840.10045.4.3.3', where: 'both' })),
    e('sigalg-claims-rsa-leaf', (c) => (c.leaf!.sigAlgOid = { oid: '1.2.840.113549.1.1.11', where: 'both' })),
    e('sigalg-unknown-int', (c) => (c.int1!.sigAlgOid = { oid: '1.2.3.4.5.6', where: 'both' })),
    e('sigalg-claims-ed25519-leaf', (c) => (c.leaf!.sigAlgOid = { oid: '1.3.101.112', where: 'both' })),
    e('proxy-cert-info-leaf', (c) => setExt(c.leaf!, { type: 'raw', oid: PROXY_CERT_INFO_OID, hex: PROXY_CERT_INFO })),
    e('proxy-cert-info-leaf-critical', (c) =>
      setExt(c.leaf!, { type: 'raw', oid: PROXY_CERT_INFO_OID, hex: PROXY_CERT_INFO, critical: true }),
    ),
    e('proxy-cert-info-int', (c) => setExt(c.int1!, { type: 'raw', oid: PROXY_CERT_INFO_OID, hex: PROXY_CERT_INFO })),
    e(
      'nc-too-many-names',
      (c) => (
        setExt(c.root!, { type: 'nc', critical: true, permitted: manySubtrees }),
        setExt(c.leaf!, { type: 'san', names: manyNames })
      ),
    ),
    e(
      'nc-many-names-below-limit',
      (c) => (
        setExt(c.root!, { type: 'nc', critical: true, permitted: [{ base: { dns: 'example.com' } }] }),
        setExt(c.leaf!, { type: 'san', names: manyNames })
      ),
    ),
    // Not even parseable: no verdict from openssl, and the server cannot load it (counted, not compared).
    e(
      'cn-invalid-utf8-unloadable',
      (c) => (dropExt(c.leaf!, 'san'), (c.leaf!.subject = [{ type: 'CN', value: '', tag: 'utf8', hex: 'c328' }])),
    ),
    e(
      'nc-cn-ip-literal',
      (c) => (
        setExt(c.root!, { type: 'nc', critical: true, permitted: [{ base: { dns: 'example.com' } }] }),
        dropExt(c.leaf!, 'san'),
        (c.leaf!.subject = cn('10.1.2.3'))
      ),
      { host: '10.1.2.3' },
    ),
    e('host-ipv4-mapped-ipv6', (c) => setExt(c.leaf!, { type: 'san', names: [{ ip: '10.1.2.3' }] }), {
      host: '::ffff:10.1.2.3',
    }),
    e('host-ipv4-mapped-san', (c) => setExt(c.leaf!, { type: 'san', names: [{ ip: '::ffff:10.1.2.3' }] }), {
      host: '10.1.2.3',
    }),
    e('san-dns-with-nul', (c) => setExt(c.leaf!, { type: 'san', names: [{ dns: 'www.example.com\u0000.evil.test' }] })),
    e('san-dns-with-space', (c) =>
      setExt(c.leaf!, { type: 'san', names: [{ dns: 'www example.com' }, { dns: 'www.example.com' }] }),
    ),
  ];
}
