// Named chains: name constraints (DNS, IP, email, URI, directoryName; permitted and excluded; on the root and
// the intermediate; narrowing and widening; the leaf CN without SAN; minimum/maximum; malformed encodings).
import type { CertSpec, ChainSpec, GeneralNameSpec, NameSpec, SubtreeSpec } from './spec.js';
import { caExtensions, cn, dropExt, setExt, template } from './templates.js';

interface NcOptions {
  on?: ('root' | 'int1' | 'int2')[];
  permitted?: SubtreeSpec[];
  excluded?: SubtreeSpec[];
  critical?: boolean;
  host?: string;
  /** The leaf's SAN (null: no SAN extension). */
  san?: GeneralNameSpec[] | null;
  subject?: NameSpec;
  depth?: number;
  edit?: (certs: Record<string, CertSpec>) => void;
  /** Second constraints for the other CA (narrowing / widening). */
  second?: { on: 'root' | 'int1' | 'int2'; permitted?: SubtreeSpec[]; excluded?: SubtreeSpec[] };
}

const dns = (base: string, extra: Partial<SubtreeSpec> = {}): SubtreeSpec => ({ base: { dns: base }, ...extra });
const ip = (base: string | number[]): SubtreeSpec => ({ base: { ip: base } });
const email = (base: string, extra: Partial<SubtreeSpec> = {}): SubtreeSpec => ({ base: { email: base }, ...extra });
const uri = (base: string): SubtreeSpec => ({ base: { uri: base } });
const dn = (base: NameSpec): SubtreeSpec => ({ base: { dn: base } });

function nc(name: string, o: NcOptions): ChainSpec {
  const chain = template(name, 'name-constraints', {
    depth: o.depth ?? 1,
    host: o.host ?? 'www.example.com',
    edit: (certs) => {
      for (const id of o.on ?? ['root']) {
        setExt(certs[id]!, {
          type: 'nc',
          critical: o.critical ?? true,
          ...(o.permitted ? { permitted: o.permitted } : {}),
          ...(o.excluded ? { excluded: o.excluded } : {}),
        });
      }
      if (o.second)
        setExt(certs[o.second.on]!, {
          type: 'nc',
          critical: true,
          ...(o.second.permitted ? { permitted: o.second.permitted } : {}),
          ...(o.second.excluded ? { excluded: o.second.excluded } : {}),
        });
      const leaf = certs.leaf!;
      if (o.san === null) dropExt(leaf, 'san');
      else if (o.san) setExt(leaf, { type: 'san', names: o.san });
      if (o.subject) leaf.subject = o.subject;
      o.edit?.(certs);
    },
  });
  // An unrelated trust anchor, for chains whose own root is sent but not trusted.
  chain.certs.push({
    id: 'root2',
    subject: cn('Another Root'),
    issuer: 'root2',
    key: 'ec16',
    notBefore: -100,
    notAfter: 3000,
    extensions: caExtensions(),
  });
  return chain;
}

export function nameConstraintChains(): ChainSpec[] {
  const leafDn = (o: string): NameSpec => [
    { type: 'O', value: o },
    { type: 'CN', value: 'www.example.com' },
  ];
  return [
    // DNS
    nc('nc-dns-permitted-ok-root', { permitted: [dns('example.com')] }),
    nc('nc-dns-permitted-violation-root', { permitted: [dns('good.test')], host: 'evil.example.com' }),
    nc('nc-dns-permitted-violation-int', { on: ['int1'], permitted: [dns('good.test')] }),
    nc('nc-dns-permitted-ok-int', { on: ['int1'], permitted: [dns('example.com')] }),
    nc('nc-dns-permitted-exact', { permitted: [dns('www.example.com')] }),
    nc('nc-dns-dot-base-vs-apex', { permitted: [dns('.example.com')], host: 'example.com' }),
    nc('nc-dns-dot-base-sub', { permitted: [dns('.example.com')] }),
    nc('nc-dns-suffix-not-label', { permitted: [dns('example.com')], host: 'badexample.com' }),
    nc('nc-dns-base-case', { permitted: [dns('EXAMPLE.COM')] }),
    nc('nc-dns-several-permitted', { permitted: [dns('good.test'), dns('example.com')] }),
    nc('nc-dns-excluded-wildcard-san', { excluded: [dns('example.com')], san: [{ dns: '*.example.com' }] }),
    nc('nc-dns-excluded-match', { excluded: [dns('www.example.com')] }),
    nc('nc-dns-excluded-nomatch', { excluded: [dns('evil.test')] }),
    nc('nc-dns-excluded-on-int', { on: ['int1'], excluded: [dns('example.com')] }),
    nc('nc-dns-excluded-empty-base', { excluded: [dns('')] }),
    nc('nc-dns-permitted-empty-base', { permitted: [dns('')] }),
    nc('nc-dns-permitted-and-excluded', { permitted: [dns('example.com')], excluded: [dns('www.example.com')] }),
    nc('nc-dns-trailing-dot-san', {
      permitted: [dns('example.com')],
      san: [{ dns: 'www.example.com' }, { dns: 'x.example.com.' }],
    }),
    nc('nc-dns-empty-san', { permitted: [dns('example.com')], san: [{ dns: 'www.example.com' }, { dns: '' }] }),
    nc('nc-dns-second-san-violates', {
      permitted: [dns('example.com')],
      san: [{ dns: 'www.example.com' }, { dns: 'www.evil.test' }],
    }),
    nc('nc-dns-noncritical', { permitted: [dns('good.test')], critical: false }),
    nc('nc-dns-narrowing-ok', {
      permitted: [dns('example.com')],
      second: { on: 'int1', permitted: [dns('shop.example.com')] },
      host: 'www.shop.example.com',
    }),
    nc('nc-dns-narrowing-violation', {
      permitted: [dns('example.com')],
      second: { on: 'int1', permitted: [dns('shop.example.com')] },
    }),
    nc('nc-dns-widening', {
      permitted: [dns('shop.example.com')],
      second: { on: 'int1', permitted: [dns('example.com')] },
    }),
    nc('nc-dns-widening-two-ints', {
      depth: 2,
      permitted: [dns('shop.example.com')],
      second: { on: 'int2', permitted: [dns('example.com')] },
    }),
    nc('nc-dns-int-san-violates', {
      permitted: [dns('example.com')],
      edit: (c) => setExt(c.int1!, { type: 'san', names: [{ dns: 'int.evil.test' }] }),
    }),
    nc('nc-dns-int-and-leaf-violate', {
      permitted: [dns('good.test')],
      edit: (c) => setExt(c.int1!, { type: 'san', names: [{ dns: 'int.evil.test' }] }),
    }),
    nc('nc-dns-expired-leaf-violation', {
      permitted: [dns('good.test')],
      edit: (c) => ((c.leaf!.notBefore = -100), (c.leaf!.notAfter = -10)),
    }),
    nc('nc-dns-root-leaf-only', { depth: 0, permitted: [dns('good.test')] }),
    nc('nc-dns-self-issued-int-skipped', {
      permitted: [dns('example.com')],
      edit: (c) => {
        c.int1!.subject = c.root!.subject;
        setExt(c.int1!, { type: 'san', names: [{ dns: 'int.evil.test' }] });
      },
    }),
    nc('nc-dns-self-issued-int-binds', {
      on: ['int1'],
      permitted: [dns('good.test')],
      edit: (c) => (c.int1!.subject = c.root!.subject),
    }),
    // The leaf's CN, checked as a DNS name when there is no DNS SAN.
    nc('nc-cn-no-san-violation', {
      permitted: [dns('example.com')],
      san: null,
      subject: cn('www.evil.test'),
      host: 'www.evil.test',
    }),
    nc('nc-cn-no-san-ok', { permitted: [dns('example.com')], san: null }),
    nc('nc-cn-localhost-unchecked', {
      permitted: [dns('example.com')],
      san: null,
      subject: cn('localhost'),
      host: 'localhost',
    }),
    nc('nc-cn-wildcard-unchecked', {
      permitted: [dns('example.com')],
      san: null,
      subject: cn('*.evil.test'),
      host: 'www.evil.test',
    }),
    nc('nc-cn-trailing-dot-unchecked', {
      permitted: [dns('example.com')],
      san: null,
      subject: cn('www.evil.test.'),
      host: 'www.evil.test',
    }),
    nc('nc-cn-ip-san-only', {
      permitted: [dns('example.com')],
      san: [{ ip: '10.1.2.3' }],
      subject: cn('www.evil.test'),
      host: '10.1.2.3',
    }),
    nc('nc-cn-email-san-only', {
      permitted: [dns('example.com')],
      san: [{ email: 'a@example.com' }],
      subject: cn('www.evil.test'),
      host: 'www.evil.test',
    }),
    nc('nc-cn-dns-san-present', { permitted: [dns('example.com')], subject: cn('www.evil.test') }),
    nc('nc-cn-two-cns', {
      permitted: [dns('example.com')],
      san: null,
      subject: [
        { type: 'CN', value: 'www.example.com' },
        { type: 'CN', value: 'www.evil.test' },
      ],
    }),
    nc('nc-cn-nul', { permitted: [dns('example.com')], san: null, subject: cn('www.example.com\u0000.evil.test') }),
    nc('nc-cn-no-san-excluded', { excluded: [dns('example.com')], san: null }),
    // IP
    nc('nc-ip4-permitted-ok', { permitted: [ip('10.0.0.0/8')], host: '10.1.2.3' }),
    nc('nc-ip4-permitted-violation', { permitted: [ip('192.168.0.0/16')], host: '10.1.2.3' }),
    nc('nc-ip4-excluded', { excluded: [ip('10.1.0.0/16')], host: '10.1.2.3' }),
    nc('nc-ip4-on-int', { on: ['int1'], permitted: [ip('192.168.0.0/16')], host: '10.1.2.3' }),
    nc('nc-ip6-permitted-ok', { permitted: [ip('2001:db8::/32')], host: '2001:db8::1' }),
    nc('nc-ip6-permitted-violation', { permitted: [ip('2001:db9::/32')], host: '2001:db8::1' }),
    nc('nc-ip6-excluded', { excluded: [ip('2001:db8::/48')], host: '2001:db8::1' }),
    nc('nc-ip4-san-vs-ip6-base', { permitted: [ip('2001:db8::/32')], host: '10.1.2.3' }),
    nc('nc-ip-base-5-bytes', { permitted: [ip([10, 0, 0, 0, 255])], host: '10.1.2.3' }),
    nc('nc-ip-base-16-bytes', { permitted: [ip(Array.from({ length: 16 }, () => 0))], host: '10.1.2.3' }),
    nc('nc-ip-base-bad-no-ip-san', { permitted: [ip([10, 0, 0, 0, 255])] }),
    nc('nc-ip-san-3-bytes', { permitted: [ip('10.0.0.0/8')], san: [{ dns: 'www.example.com' }, { ip: [10, 1, 2] }] }),
    nc('nc-ip-san-3-bytes-dns-nc', {
      permitted: [dns('example.com')],
      san: [{ dns: 'www.example.com' }, { ip: [10, 1, 2] }],
    }),
    nc('nc-ip-noncontiguous-mask', { permitted: [ip([10, 0, 2, 0, 255, 0, 255, 0])], host: '10.1.2.3' }),
    nc('nc-ip-dns-nc-ip-host', { permitted: [dns('example.com')], host: '10.1.2.3' }),
    // email
    nc('nc-email-subject-ok', {
      permitted: [email('example.com')],
      subject: [
        { type: 'CN', value: 'www.example.com' },
        { type: 'emailAddress', value: 'a@example.com' },
      ],
    }),
    nc('nc-email-subject-violation', {
      permitted: [email('example.com')],
      subject: [
        { type: 'CN', value: 'www.example.com' },
        { type: 'emailAddress', value: 'a@evil.test' },
      ],
    }),
    nc('nc-email-subject-utf8', {
      permitted: [dns('example.com')],
      subject: [
        { type: 'CN', value: 'www.example.com' },
        { type: 'emailAddress', value: 'a@example.com', tag: 'utf8' },
      ],
    }),
    nc('nc-email-san-suffix', {
      permitted: [email('.example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'a@mail.example.com' }],
    }),
    nc('nc-email-host-not-sub', {
      permitted: [email('example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'a@mail.example.com' }],
    }),
    nc('nc-email-local-case', {
      permitted: [email('admin@example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'Admin@example.com' }],
    }),
    nc('nc-email-local-ok', {
      permitted: [email('admin@example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'admin@EXAMPLE.com' }],
    }),
    nc('nc-email-no-at', { permitted: [email('example.com')], san: [{ dns: 'www.example.com' }, { email: 'nobody' }] }),
    nc('nc-email-excluded', {
      excluded: [email('evil.test')],
      san: [{ dns: 'www.example.com' }, { email: 'a@evil.test' }],
    }),
    nc('nc-email-empty-base', { permitted: [email('')], san: [{ dns: 'www.example.com' }, { email: 'a@x.com' }] }),
    nc('nc-email-vs-dns-nc', {
      permitted: [dns('example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'a@evil.test' }],
    }),
    // URI
    nc('nc-uri-ok', {
      permitted: [uri('.example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://www.example.com/x' }],
    }),
    nc('nc-uri-violation', {
      permitted: [uri('example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://www.example.com:8443/x' }],
    }),
    nc('nc-uri-no-scheme', {
      permitted: [uri('example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'www.example.com' }],
    }),
    nc('nc-uri-empty-host', {
      permitted: [uri('example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https:///path' }],
    }),
    nc('nc-uri-vs-dns-nc', {
      permitted: [dns('example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://evil.test/' }],
    }),
    // directoryName
    nc('nc-dn-permitted-ok', { permitted: [dn([{ type: 'O', value: 'Diff Test' }])], subject: leafDn('Diff Test') }),
    nc('nc-dn-permitted-violation', { permitted: [dn([{ type: 'O', value: 'Diff Test' }])], subject: leafDn('Evil') }),
    nc('nc-dn-case-folded', { permitted: [dn([{ type: 'O', value: 'diff  TEST' }])], subject: leafDn('Diff Test') }),
    nc('nc-dn-excluded-int', {
      excluded: [
        dn([
          { type: 'O', value: 'Diff Test' },
          { type: 'CN', value: 'Diff Intermediate 1' },
        ]),
      ],
    }),
    nc('nc-dn-int-violates', {
      permitted: [dn([{ type: 'O', value: 'Good' }])],
      subject: [
        { type: 'O', value: 'Good' },
        { type: 'CN', value: 'www.example.com' },
      ],
    }),
    nc('nc-dn-empty-subject', { on: ['int1'], permitted: [dn([{ type: 'O', value: 'Good' }])], subject: [] }),
    nc('nc-dn-san-dirname', {
      permitted: [dn([{ type: 'O', value: 'Diff Test' }])],
      san: [{ dns: 'www.example.com' }, { dn: [{ type: 'O', value: 'Evil' }] }],
      subject: leafDn('Diff Test'),
    }),
    nc('nc-dn-empty-base', { permitted: [dn([])], subject: leafDn('Anything') }),
    // minimum / maximum
    nc('nc-min-1', { permitted: [dns('example.com', { min: 1 })] }),
    nc('nc-max-5', { permitted: [dns('example.com', { max: 5 })] }),
    nc('nc-min-0', { permitted: [dns('example.com', { min: 0 })] }),
    nc('nc-excluded-max', { excluded: [dns('evil.test', { max: 2 })] }),
    nc('nc-min-other-type', { permitted: [email('example.com', { min: 1 })] }),
    // other name types
    nc('nc-rid', { permitted: [{ base: { rid: '1.2.3.4' } }], san: [{ dns: 'www.example.com' }, { rid: '1.2.3.4' }] }),
    nc('nc-rid-no-rid-nc', { permitted: [dns('example.com')], san: [{ dns: 'www.example.com' }, { rid: '1.2.3.4' }] }),
    nc('nc-othername-upn', {
      permitted: [{ base: { other: { oid: '1.3.6.1.4.1.311.20.2.3', utf8: 'example.com' } } }],
      san: [{ dns: 'www.example.com' }, { other: { oid: '1.3.6.1.4.1.311.20.2.3', utf8: 'a@example.com' } }],
    }),
    // malformed encodings
    nc('nc-malformed-int-truncated', {
      on: ['int1'],
      permitted: [dns('example.com')],
      edit: (c) =>
        setExt(c.int1!, { type: 'nc', critical: true, permitted: [dns('example.com')], corrupt: 'truncate' }),
    }),
    nc('nc-malformed-root-garbage', {
      permitted: [dns('example.com')],
      edit: (c) => setExt(c.root!, { type: 'nc', critical: true, permitted: [dns('example.com')], corrupt: 'garbage' }),
    }),
    nc('nc-malformed-root-badlength', {
      permitted: [dns('example.com')],
      edit: (c) =>
        setExt(c.root!, { type: 'nc', critical: true, permitted: [dns('example.com')], corrupt: 'badlength' }),
    }),
    nc('nc-trailing-bytes-int', {
      on: ['int1'],
      permitted: [dns('good.test')],
      edit: (c) => setExt(c.int1!, { type: 'nc', critical: true, permitted: [dns('good.test')], corrupt: 'trailing' }),
    }),
    nc('nc-empty-value-int', {
      on: ['int1'],
      permitted: [dns('example.com')],
      edit: (c) => setExt(c.int1!, { type: 'nc', critical: true, corrupt: 'empty' }),
    }),
    nc('nc-empty-permitted', { permitted: [] }),
    // constraints meet other errors: which one a client reports last
    nc('nc-on-leaf-itself', {
      on: [],
      permitted: [dns('good.test')],
      edit: (c) => setExt(c.leaf!, { type: 'nc', critical: true, permitted: [dns('good.test')] }),
    }),
    {
      ...nc('nc-violation-untrusted-root-sent', { permitted: [dns('good.test')] }),
      sent: ['leaf', 'int1', 'root'],
      anchors: ['root2'],
    },
    nc('nc-violation-int-root-missing', {
      on: ['int1'],
      permitted: [dns('good.test')],
      edit: (c) => (c.int1!.issuerName = [{ type: 'CN', value: 'Absent Root' }]),
    }),
    nc('nc-violation-bad-signature-leaf', { permitted: [dns('good.test')], edit: (c) => (c.leaf!.signKey = 'ec14') }),
    nc('nc-violation-leaf-bad-purpose', {
      permitted: [dns('good.test')],
      edit: (c) => setExt(c.leaf!, { type: 'eku', oids: ['clientAuth'] }),
    }),
    nc('nc-violation-mismatch', {
      permitted: [dns('good.test')],
      host: 'other.example.com',
      edit: (c) => setExt(c.leaf!, { type: 'san', names: [{ dns: 'www.example.com' }] }),
    }),
    nc('nc-v1-leaf-cn', { permitted: [dns('good.test')], edit: (c) => (c.leaf!.version = 1) }),
    nc('nc-dns-base-trailing-dot', { permitted: [dns('example.com.')] }),
    nc('nc-dns-base-wildcard', { permitted: [dns('*.example.com')] }),
    nc('nc-dns-base-leading-dot-only', { permitted: [dns('.')] }),
    nc('nc-dns-san-uppercase', { permitted: [dns('example.com')], san: [{ dns: 'WWW.EXAMPLE.COM' }] }),
    nc('nc-dns-base-longer-than-name', { permitted: [dns('www.example.com')], host: 'example.com' }),
    nc('nc-email-base-at-host', {
      permitted: [email('@example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'a@example.com' }],
    }),
    nc('nc-email-two-ats', {
      permitted: [email('example.com')],
      san: [{ dns: 'www.example.com' }, { email: 'a@evil.test@example.com' }],
    }),
    nc('nc-uri-userinfo', {
      permitted: [uri('www.example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://user@www.example.com/' }],
    }),
    nc('nc-uri-ipv6-host', {
      permitted: [uri('.example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://[2001:db8::1]/' }],
    }),
    nc('nc-uri-uppercase-host', {
      permitted: [uri('www.example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'HTTPS://WWW.EXAMPLE.COM/x' }],
    }),
    nc('nc-uri-port', {
      permitted: [uri('www.example.com')],
      san: [{ dns: 'www.example.com' }, { uri: 'https://www.example.com:443/' }],
    }),
    nc('nc-dn-printable-vs-utf8', {
      permitted: [dn([{ type: 'O', value: 'Diff Test', tag: 'printable' }])],
      subject: leafDn('Diff Test'),
    }),
    nc('nc-dn-multivalued-prefix', {
      permitted: [
        dn([
          [
            { type: 'O', value: 'Diff Test' },
            { type: 'OU', value: 'Web' },
          ],
        ]),
      ],
      subject: [
        [
          { type: 'OU', value: 'Web' },
          { type: 'O', value: 'Diff Test' },
        ],
        { type: 'CN', value: 'www.example.com' },
      ],
    }),
    nc('nc-dn-whole-subject', { permitted: [dn(leafDn('Diff Test'))], subject: leafDn('Diff Test') }),
    nc('nc-dn-longer-than-subject', {
      permitted: [dn([...leafDn('Diff Test'), { type: 'OU', value: 'x' }])],
      subject: leafDn('Diff Test'),
    }),
    nc('nc-ip6-mapped-v4-base', { permitted: [ip('::ffff:10.0.0.0/104')], host: '10.1.2.3' }),
    nc('nc-ip-zero-prefix', { permitted: [ip('0.0.0.0/0')], host: '10.1.2.3' }),
    nc('nc-ip-excluded-zero-prefix', { excluded: [ip('0.0.0.0/0')], host: '2001:db8::1' }),
    nc('nc-dns-wildcard-san-permitted', { permitted: [dns('example.com')], san: [{ dns: '*.example.com' }] }),
    nc('nc-both-absent', {}),
  ];
}
