// Named chains: critical extensions (known and unknown, every position), pathLen with self-issued certificates,
// depth limits, AKI/SKI matching, and key usage / extended key usage / basic constraints on each position.
import type { CertSpec, ChainSpec, ExtSpec } from './spec.js';
import { caExtensions, dropExt, editExt, setExt, template } from './templates.js';

type Certs = Record<string, CertSpec>;
const POSITIONS = ['leaf', 'int1', 'root'] as const;

const UNKNOWN_OID = '1.3.6.1.4.1.55555.1.1';

export function criticalExtensionChains(): ChainSpec[] {
  const perPosition: [string, ExtSpec][] = [
    ['unknown', { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true }],
    ['aki', { type: 'aki', critical: true }],
    ['ski', { type: 'ski', critical: true }],
    ['aia', { type: 'aia', caIssuers: ['http://ca.example.com/int.der'], critical: true }],
    ['ian', { type: 'ian', names: [{ dns: 'ca.example.com' }], critical: true }],
    ['policies', { type: 'policies', oids: ['2.23.140.1.2.1'], critical: true }],
    ['subject-dir-attrs', { type: 'raw', oid: '2.5.29.9', hex: '3000', critical: true }],
    ['unknown-noncritical-garbage', { type: 'raw', oid: UNKNOWN_OID, hex: 'ffff', critical: false }],
  ];
  const out: ChainSpec[] = [];
  for (const [label, ext] of perPosition) {
    for (const position of POSITIONS) {
      // The root's AKI must stay its own key id to keep it self-signed.
      const e: ExtSpec = position === 'root' && ext.type === 'aki' ? { ...ext, keyId: null } : ext;
      out.push(template(`crit-${label}-${position}`, 'critical-extensions', { edit: (c) => setExt(c[position]!, e) }));
    }
  }
  const leafExt = (name: string, ext: ExtSpec, more?: (c: Certs) => void) =>
    template(name, 'critical-extensions', {
      edit: (c) => {
        setExt(c.leaf!, ext);
        more?.(c);
      },
    });
  out.push(
    leafExt('crit-ct-poison-leaf', { type: 'raw', oid: '1.3.6.1.4.1.11129.2.4.3', hex: '0500', critical: true }),
    leafExt('crit-san-leaf', { type: 'san', names: [{ dns: 'www.example.com' }], critical: true }),
    leafExt('crit-eku-leaf', { type: 'eku', oids: ['serverAuth'], critical: true }),
    leafExt('crit-bc-leaf', { type: 'bc', critical: true }),
    leafExt('crit-policy-constraints-int', { type: 'raw', oid: '2.5.29.36', hex: '3003800100', critical: true }, (c) =>
      setExt(c.int1!, { type: 'raw', oid: '2.5.29.36', hex: '3003800100', critical: true }),
    ),
    leafExt('crit-inhibit-any-int', { type: 'raw', oid: '2.5.29.54', hex: '020100', critical: true }, (c) =>
      setExt(c.int1!, { type: 'raw', oid: '2.5.29.54', hex: '020100', critical: true }),
    ),
    leafExt(
      'crit-unknown-expired-leaf',
      { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true },
      (c) => ((c.leaf!.notBefore = -100), (c.leaf!.notAfter = -1)),
    ),
    leafExt('crit-unknown-leaf-mismatch', { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true }, (c) =>
      setExt(c.leaf!, { type: 'san', names: [{ dns: 'other.example.com' }] }),
    ),
    leafExt('aia-malformed-noncritical', { type: 'aia', caIssuers: ['http://ca.example.com/x'], corrupt: 'badlength' }),
    leafExt('aia-garbage-critical', {
      type: 'aia',
      caIssuers: ['http://ca.example.com/x'],
      corrupt: 'garbage',
      critical: true,
    }),
    leafExt('ku-critical-garbage-leaf', { type: 'ku', bits: ['digitalSignature'], critical: true, corrupt: 'garbage' }),
    leafExt('san-truncated-leaf', { type: 'san', names: [{ dns: 'www.example.com' }], corrupt: 'truncate' }),
    leafExt('san-trailing-zeros-leaf', { type: 'san', names: [{ dns: 'www.example.com' }], corrupt: 'trailing' }),
    leafExt('san-duplicated-leaf', { type: 'raw', oid: '2.5.29.17', hex: '3011820f7777772e6578616d706c652e636f6d' }),
    leafExt('unknown-duplicated-leaf', { type: 'raw', oid: UNKNOWN_OID, hex: '0500' }, (c) =>
      c.leaf!.extensions.push({ type: 'raw', oid: UNKNOWN_OID, hex: '0500' }),
    ),
    template('crit-unknown-int-and-leaf', 'critical-extensions', {
      edit: (c) => {
        setExt(c.leaf!, { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true });
        setExt(c.int1!, { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true });
      },
    }),
    template('crit-unknown-root-leaf-only', 'critical-extensions', {
      depth: 0,
      edit: (c) => setExt(c.root!, { type: 'raw', oid: UNKNOWN_OID, hex: '0500', critical: true }),
    }),
    template('bc-int-noncritical', 'critical-extensions', { edit: (c) => editExt(c.int1!, 'bc', { critical: false }) }),
    template('bc-int-garbage', 'critical-extensions', { edit: (c) => editExt(c.int1!, 'bc', { corrupt: 'garbage' }) }),
    template('eku-int-truncated', 'critical-extensions', {
      edit: (c) => setExt(c.int1!, { type: 'eku', oids: ['serverAuth'], corrupt: 'truncate' }),
    }),
    template('ski-root-garbage', 'critical-extensions', {
      edit: (c) => editExt(c.root!, 'ski', { corrupt: 'garbage' }),
    }),
  );
  return out;
}

export function pathLengthChains(): ChainSpec[] {
  const pl = (name: string, depth: number, edit: (c: Certs) => void) => template(name, 'path-length', { depth, edit });
  const pathLen = (cert: CertSpec, n: number) => editExt(cert, 'bc', { pathLen: n });
  /** Make `id` a self-issued certificate: same name as its issuer, its own key. */
  const selfIssued = (c: Certs, id: string) => (c[id]!.subject = c[c[id]!.issuer]!.subject);
  return [
    pl('pl-root0-over-int', 1, (c) => pathLen(c.root!, 0)),
    pl('pl-int0-over-leaf', 1, (c) => pathLen(c.int1!, 0)),
    pl('pl-root0-leaf-direct', 0, (c) => pathLen(c.root!, 0)),
    pl('pl-root0-over-rollover', 1, (c) => (pathLen(c.root!, 0), selfIssued(c, 'int1'))),
    pl('pl-root0-over-two-rollovers', 2, (c) => (pathLen(c.root!, 0), selfIssued(c, 'int1'), selfIssued(c, 'int2'))),
    pl('pl-root1-over-two-ints', 2, (c) => pathLen(c.root!, 1)),
    pl('pl-root1-over-int-and-rollover', 2, (c) => (pathLen(c.root!, 1), selfIssued(c, 'int2'))),
    pl('pl-int0-over-int', 2, (c) => pathLen(c.int1!, 0)),
    pl('pl-rollover-own-pathlen', 3, (c) => (selfIssued(c, 'int2'), pathLen(c.int2!, 0))),
    pl('pl-rollover-own-pathlen-ok', 2, (c) => (selfIssued(c, 'int2'), pathLen(c.int2!, 0))),
    pl('pl-negative-int', 1, (c) => pathLen(c.int1!, -1)),
    pl('pl-negative-root', 1, (c) => pathLen(c.root!, -1)),
    pl('pl-leaf-has-pathlen', 1, (c) => setExt(c.leaf!, { type: 'bc', critical: true, pathLen: 0 })),
    pl('pl-huge', 2, (c) => pathLen(c.root!, 100000)),
    pl('pl-int-not-ca-with-pathlen', 1, (c) => editExt(c.int1!, 'bc', { ca: false, pathLen: 3 })),
    pl('pl-root2-over-three-ints', 3, (c) => pathLen(c.root!, 2)),
    pl('pl-root2-over-two-ints', 2, (c) => pathLen(c.root!, 2)),
  ];
}

export function depthChains(): ChainSpec[] {
  return [
    template('depth-10-ints', 'depth', { depth: 10 }),
    template('depth-100-ints', 'depth', { depth: 100 }),
    template('depth-101-ints', 'depth', { depth: 101 }),
    template('depth-101-ints-expired-leaf', 'depth', {
      depth: 101,
      edit: (c) => ((c.leaf!.notBefore = -100), (c.leaf!.notAfter = -1)),
    }),
    // Two intermediates that issue each other and no root: building must stop.
    template('depth-issuer-loop', 'depth', {
      depth: 2,
      edit: (c) => {
        c.int1!.issuer = 'int2';
      },
    }),
    template('depth-self-loop-untrusted', 'depth', {
      edit: (c) => {
        c.int1!.issuer = 'int1';
        dropExt(c.int1!, 'aki');
      },
    }),
  ];
}

export function akiSkiChains(): ChainSpec[] {
  const a = (name: string, edit: (c: Certs) => void, depth = 1) => template(name, 'aki-ski', { depth, edit });
  const dropAll = (c: Certs, type: ExtSpec['type']) => Object.values(c).forEach((cert) => dropExt(cert, type));
  const randomId = '00112233445566778899aabbccddeeff00112233';
  return [
    a('aki-none', (c) => dropAll(c, 'aki')),
    a('ski-none', (c) => dropAll(c, 'ski')),
    a('aki-ski-none', (c) => (dropAll(c, 'aki'), dropAll(c, 'ski'))),
    a('aki-mismatch-leaf', (c) => editExt(c.leaf!, 'aki', { keyId: randomId })),
    a('aki-mismatch-int', (c) => editExt(c.int1!, 'aki', { keyId: randomId })),
    a('aki-mismatch-issuer-has-no-ski', (c) => (editExt(c.leaf!, 'aki', { keyId: randomId }), dropExt(c.int1!, 'ski'))),
    a(
      'aki-issuer-serial-match',
      (c) => ((c.int1!.serial = 4242), setExt(c.leaf!, { type: 'aki', issuer: c.root!.subject, serial: 4242 })),
    ),
    a(
      'aki-issuer-serial-mismatch',
      (c) => ((c.int1!.serial = 4242), setExt(c.leaf!, { type: 'aki', issuer: c.root!.subject, serial: 4243 })),
    ),
    a('aki-dirname-mismatch', (c) =>
      setExt(c.leaf!, { type: 'aki', issuer: [{ type: 'CN', value: 'Somebody Else' }] }),
    ),
    a('aki-keyid-serial-only', (c) => ((c.int1!.serial = 77), setExt(c.leaf!, { type: 'aki', serial: 77 }))),
    a('aki-garbage-leaf', (c) => editExt(c.leaf!, 'aki', { corrupt: 'garbage' })),
    a('ski-garbage-int', (c) => editExt(c.int1!, 'ski', { corrupt: 'garbage' })),
    a('aki-empty-sequence-leaf', (c) => setExt(c.leaf!, { type: 'aki', keyId: null })),
    a('root-aki-own-ski', (c) => setExt(c.root!, { type: 'aki' })),
    a('root-aki-mismatch', (c) => setExt(c.root!, { type: 'aki', keyId: randomId })),
    a(
      'root-aki-issuer-serial',
      (c) => ((c.root!.serial = 9001), setExt(c.root!, { type: 'aki', issuer: c.root!.subject, serial: 9001 })),
    ),
    a(
      'root-aki-issuer-serial-mismatch',
      (c) => ((c.root!.serial = 9001), setExt(c.root!, { type: 'aki', issuer: c.root!.subject, serial: 9002 })),
    ),
    a('root-aki-other-issuer', (c) => setExt(c.root!, { type: 'aki', issuer: [{ type: 'CN', value: 'Older Root' }] })),
    template('aki-two-candidates-wrong-first', 'aki-ski', {
      sent: ['leaf', 'int1b', 'int1'],
      extra: [
        {
          id: 'int1b',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'root',
          key: 'ec10',
          notBefore: -200,
          notAfter: 1800,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
    template('aki-two-candidates-no-aki', 'aki-ski', {
      sent: ['leaf', 'int1b', 'int1'],
      edit: (c) => dropExt(c.leaf!, 'aki'),
      extra: [
        {
          id: 'int1b',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'root',
          key: 'ec10',
          notBefore: -200,
          notAfter: 1800,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
  ];
}

export function keyUsageChains(): ChainSpec[] {
  const k = (name: string, edit: (c: Certs) => void, depth = 1) => template(name, 'key-usage', { depth, edit });
  return [
    k('ku-leaf-certsign-only', (c) => editExt(c.leaf!, 'ku', { bits: ['keyCertSign'] })),
    k('ku-leaf-keyencipherment', (c) => editExt(c.leaf!, 'ku', { bits: ['keyEncipherment'] })),
    k('ku-leaf-keyagreement', (c) => editExt(c.leaf!, 'ku', { bits: ['keyAgreement'] })),
    k('ku-leaf-nonrepudiation', (c) => editExt(c.leaf!, 'ku', { bits: ['nonRepudiation'] })),
    k('ku-leaf-empty', (c) => editExt(c.leaf!, 'ku', { bits: [] })),
    k('ku-leaf-absent', (c) => dropExt(c.leaf!, 'ku')),
    k('eku-leaf-clientauth', (c) => editExt(c.leaf!, 'eku', { oids: ['clientAuth'] })),
    k('eku-leaf-any', (c) => editExt(c.leaf!, 'eku', { oids: ['any'] })),
    k('eku-leaf-ns-sgc', (c) => editExt(c.leaf!, 'eku', { oids: ['nsSGC'] })),
    k('eku-leaf-ms-sgc', (c) => editExt(c.leaf!, 'eku', { oids: ['msSGC'] })),
    k('eku-leaf-absent', (c) => dropExt(c.leaf!, 'eku')),
    k('eku-leaf-server-client', (c) => editExt(c.leaf!, 'eku', { oids: ['clientAuth', 'serverAuth'] })),
    k('eku-leaf-empty', (c) => editExt(c.leaf!, 'eku', { oids: [] })),
    k('eku-int-clientauth', (c) => setExt(c.int1!, { type: 'eku', oids: ['clientAuth'] })),
    k('eku-int-serverauth', (c) => setExt(c.int1!, { type: 'eku', oids: ['serverAuth'] })),
    k('eku-int-any', (c) => setExt(c.int1!, { type: 'eku', oids: ['any'] })),
    k('eku-root-clientauth', (c) => setExt(c.root!, { type: 'eku', oids: ['clientAuth'] })),
    k('ku-int-no-certsign', (c) => editExt(c.int1!, 'ku', { bits: ['digitalSignature', 'cRLSign'] })),
    k('ku-int-absent', (c) => dropExt(c.int1!, 'ku')),
    k('ku-root-no-certsign', (c) => editExt(c.root!, 'ku', { bits: ['cRLSign'] })),
    k('bc-int-absent-ku-certsign', (c) => dropExt(c.int1!, 'bc')),
    k('bc-int-absent-no-ku', (c) => (dropExt(c.int1!, 'bc'), dropExt(c.int1!, 'ku'))),
    k('bc-root-absent-ku-certsign', (c) => dropExt(c.root!, 'bc')),
    k('bc-root-absent-no-ku', (c) => (dropExt(c.root!, 'bc'), dropExt(c.root!, 'ku'))),
    k('bc-int-ca-false', (c) => editExt(c.int1!, 'bc', { ca: false })),
    k('bc-int-ca-false-explicit', (c) => editExt(c.int1!, 'bc', { ca: false, explicitFalse: true })),
    k('bc-leaf-ca-true', (c) => setExt(c.leaf!, { type: 'bc', ca: true, critical: true })),
    k('v1-root', (c) => (c.root!.version = 1)),
    k('v1-int', (c) => (c.int1!.version = 1)),
    k('v1-leaf', (c) => (c.leaf!.version = 1)),
    k('ns-cert-type-leaf-client', (c) => setExt(c.leaf!, { type: 'nsCertType', bits: 0x80 })),
    k('ns-cert-type-leaf-server', (c) => setExt(c.leaf!, { type: 'nsCertType', bits: 0x40 })),
    k('ns-cert-type-int-ssl-ca', (c) => setExt(c.int1!, { type: 'nsCertType', bits: 0x04 })),
    k('ns-cert-type-int-no-ssl-ca', (c) => setExt(c.int1!, { type: 'nsCertType', bits: 0x01 })),
  ];
}
