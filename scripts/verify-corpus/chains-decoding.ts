// Named chains: extensions OpenSSL decodes while caching a certificate's extensions (duplicates, CRL distribution
// points, RFC 3779 resources, policies) and the less common AKI forms; each can make a certificate unusable.
import { octets } from './der.js';
import {
  AS_64500,
  AS_IDS,
  AS_INHERIT,
  CRLDP,
  crlDp,
  CRLDP_ISSUER_ONLY,
  IP_BLOCKS,
  IPV4_ALL,
  IPV4_INHERIT,
  IPV4_TEN,
  POLICY_MAPPING,
} from './extension-values.js';
import type { CertSpec, ChainSpec, ExtSpec } from './spec.js';
import { setExt, template } from './templates.js';

type Certs = Record<string, CertSpec>;
const d = (name: string, edit: (c: Certs) => void, depth = 1) => template(name, 'decoding', { depth, edit });
const raw = (o: string, hex: string, critical = false): ExtSpec => ({ type: 'raw', oid: o, hex, critical });

export function decodingChains(): ChainSpec[] {
  const dup = (name: string, id: string, type: ExtSpec['type']) =>
    d(name, (c) => {
      const ext =
        c[id]!.extensions.find((e) => e.type === type) ??
        (type === 'nc'
          ? { type: 'nc', permitted: [{ base: { dns: 'example.com' } }] }
          : type === 'ian'
            ? { type: 'ian', names: [{ dns: 'ca.example.com' }] }
            : { type: 'aia', caIssuers: ['http://ca.example.com/x'] });
      c[id]!.extensions.push({ ...ext } as ExtSpec, { ...ext } as ExtSpec);
      c[id]!.extensions = c[id]!.extensions.filter((e, i, all) => e !== ext || all.indexOf(e) !== i);
    });
  return [
    dup('dup-bc-int', 'int1', 'bc'),
    dup('dup-ku-leaf', 'leaf', 'ku'),
    dup('dup-eku-leaf', 'leaf', 'eku'),
    dup('dup-ski-int', 'int1', 'ski'),
    dup('dup-aki-leaf', 'leaf', 'aki'),
    dup('dup-nc-root', 'root', 'nc'),
    dup('dup-ian-leaf', 'leaf', 'ian'),
    dup('dup-aia-leaf', 'leaf', 'aia'),
    d('crldp-leaf', (c) => setExt(c.leaf!, raw(CRLDP, crlDp('http://crl.example.com/x.crl')))),
    d('crldp-leaf-critical', (c) => setExt(c.leaf!, raw(CRLDP, crlDp('http://crl.example.com/x.crl'), true))),
    d('crldp-garbage-leaf', (c) => setExt(c.leaf!, raw(CRLDP, 'deadbeef'))),
    d('crldp-empty-point-int', (c) => setExt(c.int1!, raw(CRLDP, '30023000'))),
    d('crldp-crl-issuer-only-leaf', (c) => setExt(c.leaf!, raw(CRLDP, CRLDP_ISSUER_ONLY))),
    d('crldp-duplicated-leaf', (c) =>
      c.leaf!.extensions.push(
        raw(CRLDP, crlDp('http://a.example.com/x.crl')),
        raw(CRLDP, crlDp('http://b.example.com/x.crl')),
      ),
    ),
    d('policies-garbage-critical-leaf', (c) => setExt(c.leaf!, raw('2.5.29.32', 'deadbeef', true))),
    d('policies-garbage-leaf', (c) => setExt(c.leaf!, raw('2.5.29.32', 'deadbeef'))),
    d('policy-mappings-critical-int', (c) => setExt(c.int1!, raw('2.5.29.33', POLICY_MAPPING, true))),
    d('policy-constraints-garbage-critical-int', (c) => setExt(c.int1!, raw('2.5.29.36', 'deadbeef', true))),
    d('inhibit-any-policy-garbage-critical-int', (c) => setExt(c.int1!, raw('2.5.29.54', 'deadbeef', true))),
    d('ns-cert-type-garbage-leaf', (c) => setExt(c.leaf!, { type: 'nsCertType', bits: 0x40, corrupt: 'garbage' })),
    d('ku-leaf-decipher-only', (c) => setExt(c.leaf!, { type: 'ku', critical: true, bits: ['decipherOnly'] })),
    d('ku-leaf-digital-signature-and-decipher-only', (c) =>
      setExt(c.leaf!, { type: 'ku', critical: true, bits: ['digitalSignature', 'decipherOnly'] }),
    ),
    d('rfc3779-ip-leaf-only', (c) => setExt(c.leaf!, raw(IP_BLOCKS, IPV4_TEN, true))),
    d(
      'rfc3779-ip-nested',
      (c) => (
        setExt(c.root!, raw(IP_BLOCKS, IPV4_ALL, true)),
        setExt(c.int1!, raw(IP_BLOCKS, IPV4_INHERIT, true)),
        setExt(c.leaf!, raw(IP_BLOCKS, IPV4_TEN, true))
      ),
    ),
    d(
      'rfc3779-ip-not-nested',
      (c) => (
        setExt(c.root!, raw(IP_BLOCKS, IPV4_TEN, true)),
        setExt(c.int1!, raw(IP_BLOCKS, IPV4_INHERIT, true)),
        setExt(c.leaf!, raw(IP_BLOCKS, IPV4_ALL, true))
      ),
    ),
    d(
      'rfc3779-ip-inherit-at-root',
      (c) => (
        setExt(c.root!, raw(IP_BLOCKS, IPV4_INHERIT, true)),
        setExt(c.int1!, raw(IP_BLOCKS, IPV4_INHERIT, true)),
        setExt(c.leaf!, raw(IP_BLOCKS, IPV4_TEN, true))
      ),
    ),
    d('rfc3779-ip-garbage-leaf', (c) => setExt(c.leaf!, raw(IP_BLOCKS, 'deadbeef'))),
    d('rfc3779-as-leaf-only', (c) => setExt(c.leaf!, raw(AS_IDS, AS_64500, true))),
    d(
      'rfc3779-as-nested',
      (c) => (
        setExt(c.root!, raw(AS_IDS, AS_64500)),
        setExt(c.int1!, raw(AS_IDS, AS_INHERIT)),
        setExt(c.leaf!, raw(AS_IDS, AS_64500))
      ),
    ),
    d('rfc3779-as-garbage-int', (c) => setExt(c.int1!, raw(AS_IDS, 'deadbeef'))),
    d(
      'aki-issuer-dns-then-dirname',
      (c) => (
        (c.int1!.serial = 4242),
        setExt(c.leaf!, {
          type: 'aki',
          keyId: null,
          issuerNames: [{ dns: 'ca.example.com' }, { dn: c.root!.subject }],
          serial: 4242,
        })
      ),
    ),
    d(
      'aki-issuer-dns-only',
      (c) => (
        (c.int1!.serial = 4242),
        setExt(c.leaf!, { type: 'aki', keyId: null, issuerNames: [{ dns: 'ca.example.com' }], serial: 4242 })
      ),
    ),
    d('aki-issuer-two-dirnames-second-right', (c) =>
      setExt(c.leaf!, {
        type: 'aki',
        keyId: null,
        issuerNames: [{ dn: [{ type: 'CN', value: 'Wrong' }] }, { dn: c.root!.subject }],
      }),
    ),
    d(
      'aki-serial-negative',
      (c) => ((c.int1!.serial = -5), setExt(c.leaf!, { type: 'aki', issuer: c.root!.subject, serial: -5 })),
    ),
    d(
      'aki-serial-zero',
      (c) => ((c.int1!.serial = 0), setExt(c.leaf!, { type: 'aki', issuer: c.root!.subject, serial: 0 })),
    ),
    d('aki-empty-keyid', (c) => setExt(c.leaf!, { type: 'aki', keyId: '' })),
    d('ski-empty', (c) => setExt(c.int1!, { type: 'ski', keyId: '' })),
    d(
      'ski-empty-aki-other',
      (c) => (setExt(c.int1!, { type: 'ski', keyId: '' }), setExt(c.leaf!, { type: 'aki', keyId: '00' })),
    ),
    d('nc-smtputf8-mailbox', (c) => {
      setExt(c.root!, { type: 'nc', critical: true, permitted: [{ base: { email: 'example.com' } }] });
      setExt(c.leaf!, {
        type: 'san',
        names: [{ dns: 'www.example.com' }, { other: { oid: '1.3.6.1.5.5.7.8.9', utf8: 'a@evil.test' } }],
      });
    }),
    d('nc-smtputf8-mailbox-ok', (c) => {
      setExt(c.root!, { type: 'nc', critical: true, permitted: [{ base: { email: 'example.com' } }] });
      setExt(c.leaf!, {
        type: 'san',
        names: [{ dns: 'www.example.com' }, { other: { oid: '1.3.6.1.5.5.7.8.9', utf8: 'a@example.com' } }],
      });
    }),
    d('ext-empty-octets-unknown-critical', (c) => setExt(c.leaf!, raw('1.3.6.1.4.1.55555.9', '', true))),
    d('ext-octets-of-octets-ski', (c) =>
      setExt(c.int1!, raw('2.5.29.14', octets(octets(Buffer.from('abcd', 'hex'))).toString('hex'))),
    ),
  ];
}
