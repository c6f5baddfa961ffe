// Named chains: valid baselines, the name to check, empty and odd names, validity at each depth, weak keys and
// digests, and chain building (order, missing, extra, untrusted, bad signatures, anchors that are not roots).
import type { CertSpec, ChainSpec } from './spec.js';
import { caExtensions, cn, dropExt, editExt, setExt, template } from './templates.js';

type Certs = Record<string, CertSpec>;

const unrelatedRoot = (): CertSpec => ({
  id: 'other',
  subject: cn('Unrelated Root'),
  issuer: 'other',
  key: 'ec15',
  notBefore: -100,
  notAfter: 3000,
  extensions: caExtensions(),
});

export function baselineChains(): ChainSpec[] {
  return [
    template('ok-root-leaf', 'baseline', { depth: 0 }),
    template('ok-one-int', 'baseline'),
    template('ok-two-ints', 'baseline', { depth: 2 }),
    template('ok-three-ints', 'baseline', { depth: 3 }),
    template('ok-ipv4', 'baseline', { host: '10.1.2.3' }),
    template('ok-ipv6', 'baseline', { host: '2001:db8::1' }),
    template('ok-rsa', 'baseline', { rsa: true }),
    template('ok-p384-leaf', 'baseline', { edit: (c) => (c.leaf!.key = 'p384') }),
    template('ok-ed25519', 'baseline', {
      edit: (c) => ((c.root!.key = 'ed1'), (c.int1!.key = 'ed2'), (c.leaf!.key = 'ed1')),
    }),
    template('ok-ed25519-leaf-under-ec', 'baseline', { edit: (c) => (c.leaf!.key = 'ed2') }),
    template('ok-rsa-pss', 'baseline', {
      rsa: true,
      edit: (c) => Object.values(c).forEach((cert) => (cert.pss = true)),
    }),
    template('ok-rsa-pss-leaf-only', 'baseline', { rsa: true, edit: (c) => (c.leaf!.pss = true) }),
    template('ok-sha384', 'baseline', { edit: (c) => Object.values(c).forEach((cert) => (cert.digest = 'sha384')) }),
  ];
}

export function hostnameChains(): ChainSpec[] {
  const h = (name: string, host: string, edit?: (c: Certs) => void) =>
    template(name, 'hostname', { host, leafName: 'www.example.com', ...(edit ? { edit } : {}) });
  const san = (c: Certs, ...names: ({ dns: string } | { ip: string })[]) => setExt(c.leaf!, { type: 'san', names });
  return [
    h('host-mismatch', 'other.example.com'),
    h('host-ip-mismatch', '10.1.2.4', (c) => san(c, { ip: '10.1.2.3' })),
    h('host-ip-in-dns-san', '10.1.2.3', (c) => san(c, { dns: '10.1.2.3' })),
    h('host-ipv6-mismatch', '2001:db8::2', (c) => san(c, { ip: '2001:db8::1' })),
    h('host-cn-only', 'www.example.com', (c) => dropExt(c.leaf!, 'san')),
    h('host-cn-only-mismatch', 'other.example.com', (c) => dropExt(c.leaf!, 'san')),
    h('host-wildcard', 'www.example.com', (c) => san(c, { dns: '*.example.com' })),
    h('host-wildcard-partial', 'foo.example.com', (c) => san(c, { dns: 'f*.example.com' })),
    h('host-wildcard-two-levels', 'a.b.example.com', (c) => san(c, { dns: '*.example.com' })),
    h('host-wildcard-tld', 'example.com', (c) => san(c, { dns: '*.com' })),
    h('host-wildcard-middle', 'www.a.example.com', (c) => san(c, { dns: 'www.*.example.com' })),
    h('host-wildcard-idn', 'xn--bcher-kva.example.com', (c) => san(c, { dns: 'xn--*.example.com' })),
    h('host-trailing-dot-host', 'www.example.com.'),
    h('host-trailing-dot-san', 'www.example.com', (c) => san(c, { dns: 'www.example.com.' })),
    h('host-uppercase-san', 'www.example.com', (c) => san(c, { dns: 'WWW.EXAMPLE.COM' })),
    h('host-empty-dns-san-cn-match', 'www.example.com', (c) => san(c, { dns: '' })),
    h('host-ip-san-only-cn-match', 'www.example.com', (c) => san(c, { ip: '10.1.2.3' })),
    h('host-empty-san', 'www.example.com', (c) => setExt(c.leaf!, { type: 'san', names: [] })),
    h(
      'host-wildcard-cn-only',
      'www.example.com',
      (c) => (dropExt(c.leaf!, 'san'), (c.leaf!.subject = cn('*.example.com'))),
    ),
    h('host-ip-cn-only', '10.1.2.3', (c) => (dropExt(c.leaf!, 'san'), (c.leaf!.subject = cn('10.1.2.3')))),
    h(
      'host-two-cns',
      'www.example.com',
      (c) => (
        dropExt(c.leaf!, 'san'),
        (c.leaf!.subject = [
          { type: 'CN', value: 'other.test' },
          { type: 'CN', value: 'www.example.com' },
        ])
      ),
    ),
    h('host-ipv6-uppercase', '2001:DB8::1', (c) => san(c, { ip: '2001:db8::1' })),
    h('host-ipv6-long-form', '2001:db8:0:0:0:0:0:1', (c) => san(c, { ip: '2001:db8::1' })),
    h('host-uppercase-host', 'WWW.EXAMPLE.COM'),
    h('host-localhost', 'localhost', (c) => san(c, { dns: 'localhost' })),
  ];
}

export function oddNameChains(): ChainSpec[] {
  const n = (name: string, edit: (c: Certs) => void, depth = 1) => template(name, 'names', { depth, edit });
  const intName = () => [
    { type: 'O', value: 'Diff Test' },
    { type: 'CN', value: 'Diff Intermediate 1' },
  ];
  return [
    n('name-empty-leaf-subject', (c) => (c.leaf!.subject = [])),
    n('name-empty-root', (c) => (c.root!.subject = [])),
    n('name-empty-int-subject', (c) => (c.int1!.subject = [])),
    n('name-empty-root-leaf-only', (c) => (c.root!.subject = []), 0),
    n(
      'name-printable-vs-utf8',
      (c) =>
        (c.int1!.subject = [
          { type: 'O', value: 'Diff Test', tag: 'printable' },
          { type: 'CN', value: 'Diff Intermediate 1', tag: 'printable' },
        ]),
    ),
    n(
      'name-case-differs',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'DIFF TEST' },
          { type: 'CN', value: 'diff intermediate 1' },
        ]),
    ),
    n(
      'name-spaces-differ',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: ' Diff   Test ' },
          { type: 'CN', value: 'Diff Intermediate  1' },
        ]),
    ),
    n('name-rdn-order-differs', (c) => (c.leaf!.issuerName = [...intName()].reverse())),
    n('name-multivalued-rdn', (c) => (c.int1!.subject = [intName()])),
    n('name-bmp-cn', (c) => (c.leaf!.subject = [{ type: 'CN', value: 'www.example.com', tag: 'bmp' }])),
    n(
      'name-t61-org',
      (c) =>
        (c.int1!.subject = [
          { type: 'O', value: 'Diff Test', tag: 't61' },
          { type: 'CN', value: 'Diff Intermediate 1' },
        ]),
    ),
    n('name-long-cn', (c) => (c.leaf!.subject = cn('x'.repeat(300)))),
    n('name-unicode-cn', (c) => (c.leaf!.subject = cn('www.exämple.com'))),
    n(
      'name-dc-components',
      (c) =>
        (c.int1!.subject = [
          { type: 'DC', value: 'com' },
          { type: 'DC', value: 'example' },
          { type: 'CN', value: 'DC Intermediate' },
        ]),
    ),
    n(
      'name-cn-nul-no-san',
      (c) => (dropExt(c.leaf!, 'san'), (c.leaf!.subject = cn('www.example.com\u0000.evil.test'))),
    ),
    n('name-leaf-issuer-empty', (c) => (c.leaf!.issuerName = [])),
    // Issuer names that differ from the issuer's subject only in ways X509_NAME_cmp's canonical form ignores, or not.
    n(
      'name-bmp-vs-utf8',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test', tag: 'bmp' },
          { type: 'CN', value: 'Diff Intermediate 1', tag: 'bmp' },
        ]),
    ),
    n(
      'name-ia5-vs-utf8',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test', tag: 'ia5' },
          { type: 'CN', value: 'Diff Intermediate 1', tag: 'ia5' },
        ]),
    ),
    n(
      'name-visible-string-unloadable',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test', tag: 'visible' },
          { type: 'CN', value: 'Diff Intermediate 1', tag: 'visible' },
        ]),
    ),
    n(
      'name-universal-vs-utf8',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test', tag: 'universal' },
          { type: 'CN', value: 'Diff Intermediate 1', tag: 'universal' },
        ]),
    ),
    n(
      'name-numeric-string',
      (c) => (
        (c.int1!.subject = [
          { type: 'serialNumber', value: '12345', tag: 'numeric' },
          { type: 'CN', value: 'Num' },
        ]),
        (c.leaf!.issuerName = [
          { type: 'serialNumber', value: '12345', tag: 'printable' },
          { type: 'CN', value: 'Num' },
        ])
      ),
    ),
    n(
      'name-leading-trailing-spaces',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: '  Diff Test' },
          { type: 'CN', value: 'Diff Intermediate 1   ' },
        ]),
    ),
    n(
      'name-tab-and-newline',
      (c) =>
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff\tTest' },
          { type: 'CN', value: 'Diff\nIntermediate 1' },
        ]),
    ),
    n(
      'name-non-ascii-case',
      (c) => (
        (c.int1!.subject = [{ type: 'CN', value: 'Zwischen-CA Ä' }]),
        (c.leaf!.issuerName = [{ type: 'CN', value: 'zwischen-ca ä' }])
      ),
    ),
    n(
      'name-non-ascii-same',
      (c) => (
        (c.int1!.subject = [{ type: 'CN', value: 'Zwischen-CA Ä' }]),
        (c.leaf!.issuerName = [{ type: 'CN', value: 'ZWISCHEN-CA Ä', tag: 'bmp' }])
      ),
    ),
    n(
      'name-empty-cn-value',
      (c) =>
        (c.int1!.subject = [
          { type: 'O', value: 'Diff Test' },
          { type: 'CN', value: '' },
        ]),
    ),
    n(
      'name-empty-vs-spaces',
      (c) => (
        (c.int1!.subject = [
          { type: 'O', value: 'Diff Test' },
          { type: 'CN', value: '' },
        ]),
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test' },
          { type: 'CN', value: '   ' },
        ])
      ),
    ),
    n(
      'name-multivalued-rdn-order',
      (c) => (
        (c.int1!.subject = [
          [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Multi' },
          ],
        ]),
        (c.leaf!.issuerName = [
          [
            { type: 'CN', value: 'Multi' },
            { type: 'O', value: 'Diff Test' },
          ],
        ])
      ),
    ),
    n(
      'name-multivalued-vs-split',
      (c) => (
        (c.int1!.subject = [
          [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Multi' },
          ],
        ]),
        (c.leaf!.issuerName = [
          { type: 'O', value: 'Diff Test' },
          { type: 'CN', value: 'Multi' },
        ])
      ),
    ),
    n(
      'name-repeated-attribute',
      (c) => (
        (c.int1!.subject = [
          { type: 'OU', value: 'a' },
          { type: 'OU', value: 'b' },
          { type: 'CN', value: 'Rep' },
        ]),
        (c.leaf!.issuerName = [
          { type: 'OU', value: 'b' },
          { type: 'OU', value: 'a' },
          { type: 'CN', value: 'Rep' },
        ])
      ),
    ),
    n(
      'name-country-case',
      (c) => (
        (c.int1!.subject = [
          { type: 'C', value: 'DE' },
          { type: 'CN', value: 'Country' },
        ]),
        (c.leaf!.issuerName = [
          { type: 'C', value: 'de' },
          { type: 'CN', value: 'Country' },
        ])
      ),
    ),
    n('name-v2-certificate', (c) => (c.leaf!.version = 2)),
    n(
      'name-oid-attribute',
      (c) =>
        (c.leaf!.subject = [
          { type: '1.2.3.4.5', value: 'odd' },
          { type: 'CN', value: 'www.example.com' },
        ]),
    ),
  ];
}

export function validityChains(): ChainSpec[] {
  const v = (name: string, edit: (c: Certs) => void, extra: Partial<Parameters<typeof template>[2]> = {}) =>
    template(name, 'validity', { edit, ...extra });
  const expire = (cert: CertSpec) => ((cert.notBefore = -400), (cert.notAfter = -2));
  const future = (cert: CertSpec) => ((cert.notBefore = 2), (cert.notAfter = 400));
  return [
    v('val-leaf-expired', (c) => expire(c.leaf!)),
    v('val-leaf-not-yet-valid', (c) => future(c.leaf!)),
    v('val-int-expired', (c) => expire(c.int1!)),
    v('val-int-not-yet-valid', (c) => future(c.int1!)),
    v('val-root-expired', (c) => expire(c.root!)),
    v('val-root-not-yet-valid', (c) => future(c.root!)),
    v('val-all-expired', (c) => Object.values(c).forEach(expire)),
    v('val-leaf-expired-int-future', (c) => (expire(c.leaf!), future(c.int1!))),
    v('val-generalized-time-2050', (c) => (c.leaf!.notAfter = 9500)),
    v('val-inverted', (c) => ((c.leaf!.notBefore = 10), (c.leaf!.notAfter = -10))),
    v('val-leaf-expired-unknown-root', (c) => expire(c.leaf!), { anchors: ['other'], extra: [unrelatedRoot()] }),
    v('val-leaf-expired-untrusted-root-sent', (c) => expire(c.leaf!), {
      anchors: ['other'],
      extra: [unrelatedRoot()],
      sent: ['leaf', 'int1', 'root'],
    }),
    v('val-leaf-expired-missing-int', (c) => expire(c.leaf!), { sent: ['leaf'] }),
    v('val-leaf-expired-mismatch', (c) => expire(c.leaf!), { host: 'other.example.com', leafName: 'www.example.com' }),
    v('val-two-ints-expired-first', (c) => void c, {
      sent: ['leaf', 'int1old', 'int1'],
      extra: [
        {
          id: 'int1old',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'root',
          key: 'ec2',
          notBefore: -900,
          notAfter: -100,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
    v('val-two-ints-both-expired', (c) => expire(c.int1!), {
      sent: ['leaf', 'int1', 'int1old'],
      extra: [
        {
          id: 'int1old',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'root',
          key: 'ec2',
          notBefore: -900,
          notAfter: -100,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
    v('val-two-roots-both-expired', (c) => expire(c.root!), {
      anchors: ['rootold', 'root'],
      extra: [
        {
          id: 'rootold',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Root CA' },
          ],
          issuer: 'rootold',
          key: 'ec1',
          notBefore: -900,
          notAfter: -100,
          extensions: caExtensions(),
        },
      ],
    }),
    v('val-two-roots-expired-first', (c) => void c, {
      anchors: ['rootold', 'root'],
      extra: [
        {
          id: 'rootold',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Root CA' },
          ],
          issuer: 'rootold',
          key: 'ec1',
          notBefore: -900,
          notAfter: -100,
          extensions: caExtensions(),
        },
      ],
    }),
  ];
}

export function weakChains(): ChainSpec[] {
  const w = (name: string, edit: (c: Certs) => void, depth = 1) => template(name, 'weak', { depth, edit });
  return [
    w('weak-leaf-rsa1024', (c) => (c.leaf!.key = 'rsa1024a')),
    w('weak-leaf-rsa768', (c) => (c.leaf!.key = 'rsa768')),
    w('weak-int-rsa1024', (c) => (c.int1!.key = 'rsa1024a')),
    w('weak-root-rsa1024', (c) => (c.root!.key = 'rsa1024b')),
    w('weak-leaf-sha1', (c) => (c.leaf!.digest = 'sha1')),
    w('weak-int-sha1', (c) => (c.int1!.digest = 'sha1')),
    w('weak-root-sha1-self-signature', (c) => (c.root!.digest = 'sha1')),
    w(
      'weak-rsa-chain-sha1-leaf',
      (c) => ((c.root!.key = 'rsa2048a'), (c.int1!.key = 'rsa2048b'), (c.leaf!.digest = 'sha1')),
    ),
    w(
      'weak-leaf-sha1-expired',
      (c) => ((c.leaf!.digest = 'sha1'), (c.leaf!.notBefore = -100), (c.leaf!.notAfter = -1)),
    ),
    w(
      'weak-leaf-rsa1024-mismatch',
      (c) => ((c.leaf!.key = 'rsa1024a'), setExt(c.leaf!, { type: 'san', names: [{ dns: 'other.example.com' }] })),
    ),
    // A too-weak leaf key is recorded before the chain is built; where no anchor is found, Node reports that error.
    template('weak-leaf-rsa768-unknown-root', 'weak', {
      anchors: ['other'],
      extra: [unrelatedRoot()],
      edit: (c) => (c.leaf!.key = 'rsa768'),
    }),
    template('weak-leaf-rsa768-missing-int', 'weak', { sent: ['leaf'], edit: (c) => (c.leaf!.key = 'rsa768') }),
    template('weak-leaf-rsa768-anchor-is-int', 'weak', { anchors: ['int1'], edit: (c) => (c.leaf!.key = 'rsa768') }),
    template('weak-leaf-rsa768-untrusted-root-sent', 'weak', {
      sent: ['leaf', 'int1', 'root'],
      anchors: ['other'],
      extra: [unrelatedRoot()],
      edit: (c) => (c.leaf!.key = 'rsa768'),
    }),
    template('weak-leaf-rsa768-self-signed', 'weak', {
      sent: ['leaf'],
      anchors: ['other'],
      extra: [unrelatedRoot()],
      edit: (c) => ((c.leaf!.key = 'rsa768'), (c.leaf!.issuer = 'leaf'), editExt(c.leaf!, 'aki', { keyId: null })),
    }),
    template('weak-leaf-sha1-unknown-root', 'weak', {
      anchors: ['other'],
      extra: [unrelatedRoot()],
      edit: (c) => (c.leaf!.digest = 'sha1'),
    }),
    w('weak-int-rsa1024-sha1-leaf', (c) => ((c.int1!.key = 'rsa1024a'), (c.leaf!.digest = 'sha1'))),
  ];
}

export function buildingChains(): ChainSpec[] {
  const b = (name: string, options: Parameters<typeof template>[2]) => template(name, 'building', options);
  const selfSignedLeaf = (c: Certs) => {
    c.leaf!.issuer = 'leaf';
    editExt(c.leaf!, 'aki', { keyId: null });
  };
  return [
    b('build-missing-int', { sent: ['leaf'] }),
    b('build-missing-middle', { depth: 2, sent: ['leaf', 'int1'] }),
    b('build-wrong-order', { depth: 2, sent: ['leaf', 'int1', 'int2'] }),
    b('build-extra-unrelated', { sent: ['leaf', 'int1', 'other'], extra: [unrelatedRoot()] }),
    b('build-duplicate-int', { sent: ['leaf', 'int1', 'int1'] }),
    b('build-root-sent', { sent: ['leaf', 'int1', 'root'] }),
    b('build-untrusted-root-sent', { sent: ['leaf', 'int1', 'root'], anchors: ['other'], extra: [unrelatedRoot()] }),
    b('build-unknown-root', { anchors: ['other'], extra: [unrelatedRoot()] }),
    b('build-self-signed-leaf', { edit: selfSignedLeaf, sent: ['leaf'], anchors: ['other'], extra: [unrelatedRoot()] }),
    b('build-self-signed-leaf-trusted', { edit: selfSignedLeaf, sent: ['leaf'], anchors: ['leaf'] }),
    b('build-anchor-is-intermediate', { anchors: ['int1'] }),
    b('build-anchor-int-and-root', { anchors: ['int1', 'root'] }),
    b('build-anchor-is-leaf', { anchors: ['leaf'], sent: ['leaf'] }),
    b('build-bad-signature-leaf', { edit: (c) => (c.leaf!.signKey = 'ec14') }),
    b('build-bad-signature-int', { edit: (c) => (c.int1!.signKey = 'ec14') }),
    b('build-bad-signature-root', { edit: (c) => (c.root!.signKey = 'ec14') }),
    b('build-leaf-is-int', { sent: ['int1', 'leaf'], host: 'www.example.com' }),
    b('build-cross-signed', {
      sent: ['leaf', 'int1x', 'int1'],
      extra: [
        unrelatedRoot(),
        {
          id: 'int1x',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'other',
          key: 'ec2',
          notBefore: -200,
          notAfter: 1800,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
    b('build-cross-signed-only', {
      sent: ['leaf', 'int1x'],
      extra: [
        unrelatedRoot(),
        {
          id: 'int1x',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Intermediate 1' },
          ],
          issuer: 'other',
          key: 'ec2',
          notBefore: -200,
          notAfter: 1800,
          extensions: [...caExtensions(), { type: 'aki' }],
        },
      ],
    }),
    b('build-self-signed-leaf-other-copy-trusted', {
      edit: selfSignedLeaf,
      sent: ['leaf'],
      anchors: ['leafcopy'],
      extra: [
        {
          id: 'leafcopy',
          subject: [{ type: 'CN', value: 'www.example.com' }],
          issuer: 'leafcopy',
          key: 'ec3',
          serial: 999,
          notBefore: -30,
          notAfter: 90,
          extensions: [{ type: 'san', names: [{ dns: 'www.example.com' }] }],
        },
      ],
    }),
    b('build-root-sent-differs-from-anchor', {
      sent: ['leaf', 'int1', 'rootcopy'],
      extra: [
        {
          id: 'rootcopy',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Root CA' },
          ],
          issuer: 'rootcopy',
          key: 'ec1',
          serial: 999,
          notBefore: -10,
          notAfter: 100,
          extensions: caExtensions(),
        },
      ],
    }),
    b('build-only-root-sent-untrusted-copy', {
      depth: 0,
      sent: ['leaf', 'rootcopy'],
      anchors: ['other'],
      extra: [
        unrelatedRoot(),
        {
          id: 'rootcopy',
          subject: [
            { type: 'O', value: 'Diff Test' },
            { type: 'CN', value: 'Diff Root CA' },
          ],
          issuer: 'rootcopy',
          key: 'ec1',
          serial: 999,
          notBefore: -10,
          notAfter: 100,
          extensions: caExtensions(),
        },
      ],
    }),
    // A leaf named like its issuer, with no SKI: OpenSSL takes it as self-signed (EXFLAG_SS) whatever signed it.
    b('build-leaf-self-issued', { edit: (c) => (c.leaf!.subject = c.int1!.subject) }),
    b('build-leaf-self-issued-ca', {
      edit: (c) => (
        (c.leaf!.subject = c.int1!.subject),
        setExt(c.leaf!, { type: 'bc', critical: true, ca: true, pathLen: 0 })
      ),
    }),
    b('build-leaf-self-issued-with-ski', {
      edit: (c) => ((c.leaf!.subject = c.int1!.subject), setExt(c.leaf!, { type: 'ski' })),
    }),
    // Two trusted roots, the intermediate cross-signed by both; only the second root constrains names, so the path OpenSSL picks decides.
    ...(['int1x-first', 'int1-first', 'int1x-first-expired'] as const).map((order) =>
      b(`build-cross-signed-constrained-${order}`, {
        sent: order === 'int1-first' ? ['leaf', 'int1', 'int1x'] : ['leaf', 'int1x', 'int1'],
        anchors: ['root', 'other'],
        extra: [
          {
            ...unrelatedRoot(),
            extensions: [
              ...caExtensions(),
              { type: 'nc', critical: true, permitted: [{ base: { dns: 'good.test' } }] },
            ],
          },
          {
            id: 'int1x',
            subject: [
              { type: 'O', value: 'Diff Test' },
              { type: 'CN', value: 'Diff Intermediate 1' },
            ],
            issuer: 'other',
            key: 'ec2',
            notBefore: -200,
            notAfter: order === 'int1x-first-expired' ? -1 : 1800,
            extensions: [...caExtensions(), { type: 'aki' }],
          },
        ],
      }),
    ),
    b('build-anchor-also-sent-first', { sent: ['leaf', 'root', 'int1'] }),
  ];
}
