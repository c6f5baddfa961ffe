// Seeded random values for mutations: names, name-constraint subtrees and extensions, some aimed at the host checked.
import { isIP } from 'node:net';
import type { Corruption, ExtSpec, GeneralNameSpec, KeyUsageBit, NameSpec, SubtreeSpec } from './spec.js';
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
  PROXY_CERT_INFO,
  PROXY_CERT_INFO_OID,
} from './extension-values.js';
import { cn } from './templates.js';
import { prng } from '../prng.js';

export { prng };

export type Rng = () => number;
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
export const chance = (rng: Rng, p: number) => rng() < p;

export const HOSTS = ['www.example.com', 'api.shop.example.com', '10.1.2.3', '2001:db8::1', 'example.com'];
export const KU_BITS: KeyUsageBit[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
];
export const EKUS = ['serverAuth', 'clientAuth', 'any', 'codeSigning', 'nsSGC', 'msSGC', '1.2.3.4'];
export const CORRUPTIONS: Corruption[] = ['truncate', 'trailing', 'garbage', 'empty', 'badlength'];
export const NAMES: NameSpec[] = [
  [],
  cn('Diff Root CA'),
  cn('Somebody Else'),
  [
    { type: 'O', value: 'DIFF TEST' },
    { type: 'CN', value: 'diff intermediate 1' },
  ],
  cn('www.evil.test'),
  [
    { type: 'CN', value: 'www.example.com' },
    { type: 'emailAddress', value: 'a@example.com' },
  ],
];

export function randomGeneralName(rng: Rng): GeneralNameSpec {
  return pick<GeneralNameSpec>(rng, [
    { dns: 'www.example.com' },
    { dns: 'www.evil.test' },
    { dns: '*.example.com' },
    { dns: '' },
    { ip: '10.1.2.3' },
    { ip: '2001:db8::1' },
    { ip: [10, 1, 2] },
    { email: 'a@example.com' },
    { email: 'nobody' },
    { uri: 'https://www.example.com/' },
    { dn: [{ type: 'O', value: 'Diff Test' }] },
    { rid: '1.2.3.4' },
  ]);
}

/** A name close to the host: itself, a parent, a sibling, or its neighbourhood for IPs. */
export function targetedName(rng: Rng, host: string): GeneralNameSpec {
  if (isIP(host))
    return {
      ip: pick(rng, [
        host,
        host.includes(':') ? '2001:db8::2' : '10.1.2.4',
        host.includes(':') ? '10.1.2.3' : '2001:db8::1',
      ]),
    };
  const labels = host.split('.');
  return {
    dns: pick(rng, [
      host,
      host.toUpperCase(),
      `*.${labels.slice(1).join('.')}`,
      `x${host}`,
      `${host}.`,
      `a.${host}`,
      labels.slice(1).join('.'),
    ]),
  };
}

export function targetedBase(rng: Rng, host: string): GeneralNameSpec {
  if (isIP(host)) {
    const v6 = host.includes(':');
    return {
      ip: pick(
        rng,
        v6
          ? ['2001:db8::/32', '2001:db8::1/128', '2001:db9::/32', '10.0.0.0/8']
          : ['10.0.0.0/8', '10.1.2.3/32', '10.1.2.0/25', '10.1.3.0/24', '2001:db8::/32'],
      ),
    };
  }
  const labels = host.split('.');
  const parent = labels.slice(1).join('.');
  return pick<GeneralNameSpec>(rng, [
    { dns: host },
    { dns: parent },
    { dns: `.${parent}` },
    { dns: `.${host}` },
    { dns: `x${host}` },
    { dns: labels.slice(-1)[0]! },
    { dns: host.toUpperCase() },
    { email: parent },
    { dn: [{ type: 'CN', value: host }] },
  ]);
}

export function randomSubtree(rng: Rng): SubtreeSpec {
  const base = pick<GeneralNameSpec>(rng, [
    { dns: 'example.com' },
    { dns: '.example.com' },
    { dns: 'evil.test' },
    { dns: '' },
    { ip: '10.0.0.0/8' },
    { ip: '192.168.0.0/16' },
    { ip: '2001:db8::/32' },
    { ip: [10, 0, 0, 0, 255] },
    { email: 'example.com' },
    { uri: '.example.com' },
    { dn: [{ type: 'O', value: 'Diff Test' }] },
    { dn: [{ type: 'O', value: 'Evil' }] },
    { rid: '1.2.3.4' },
  ]);
  return { base, ...(chance(rng, 0.05) ? { min: 1 } : {}), ...(chance(rng, 0.05) ? { max: 4 } : {}) };
}

export function randomExtension(rng: Rng): ExtSpec {
  const critical = chance(rng, 0.5);
  const kind = pick(rng, [
    'unknown',
    'nc',
    'nc',
    'nc',
    'eku',
    'ku',
    'bc',
    'san',
    'aki',
    'ski',
    'aia',
    'ian',
    'policies',
    'nsCertType',
    'crldp',
    'ip-blocks',
    'as-ids',
    'proxy',
  ] as const);
  switch (kind) {
    case 'crldp':
      return {
        type: 'raw',
        oid: CRLDP,
        hex: pick(rng, [crlDp('http://crl.example.com/x.crl'), CRLDP_ISSUER_ONLY, '30023000']),
        critical,
      };
    case 'ip-blocks':
      return { type: 'raw', oid: IP_BLOCKS, hex: pick(rng, [IPV4_ALL, IPV4_TEN, IPV4_INHERIT]), critical };
    case 'as-ids':
      return { type: 'raw', oid: AS_IDS, hex: pick(rng, [AS_64500, AS_INHERIT]), critical };
    case 'proxy':
      return { type: 'raw', oid: PROXY_CERT_INFO_OID, hex: PROXY_CERT_INFO, critical };
    case 'unknown':
      return { type: 'raw', oid: '1.3.6.1.4.1.55555.1.' + Math.floor(rng() * 3), hex: '0500', critical };
    case 'nc': {
      const permitted = chance(rng, 0.7)
        ? [randomSubtree(rng), ...(chance(rng, 0.3) ? [randomSubtree(rng)] : [])]
        : undefined;
      const excluded = !permitted || chance(rng, 0.3) ? [randomSubtree(rng)] : undefined;
      return { type: 'nc', critical, ...(permitted ? { permitted } : {}), ...(excluded ? { excluded } : {}) };
    }
    case 'eku':
      return { type: 'eku', critical, oids: [pick(rng, EKUS), ...(chance(rng, 0.3) ? [pick(rng, EKUS)] : [])] };
    case 'ku':
      return { type: 'ku', critical, bits: KU_BITS.filter(() => chance(rng, 0.3)) };
    case 'bc':
      return {
        type: 'bc',
        critical,
        ca: chance(rng, 0.6),
        ...(chance(rng, 0.4) ? { pathLen: Math.floor(rng() * 4) - 1 } : {}),
      };
    case 'san':
      return {
        type: 'san',
        critical,
        names: [randomGeneralName(rng), ...(chance(rng, 0.5) ? [randomGeneralName(rng)] : [])],
      };
    case 'aki':
      return chance(rng, 0.5)
        ? { type: 'aki', critical, keyId: '00112233445566778899aabbccddeeff00112233' }
        : { type: 'aki', critical, keyId: null, issuer: NAMES[1]!, serial: 1 + Math.floor(rng() * 3) };
    case 'ski':
      return { type: 'ski', critical, keyId: chance(rng, 0.5) ? 'auto' : 'abcdef' };
    case 'aia':
      return { type: 'aia', critical, caIssuers: ['http://ca.example.com/x.der'] };
    case 'ian':
      return { type: 'ian', critical, names: [{ dns: 'ca.example.com' }] };
    case 'policies':
      return { type: 'policies', critical, oids: ['2.23.140.1.2.1'] };
    case 'nsCertType':
      return { type: 'nsCertType', critical, bits: pick(rng, [0x80, 0x40, 0x04, 0x01]) };
  }
}
