// Encodes a ChainSpec into DER certificates signed natively with node:crypto: any extension, name or date a
// server could send, valid or not, so the differential test can hand the same bytes to every verifier.
import { constants, createHash, sign } from 'node:crypto';
import {
  bitString,
  bool,
  ctx,
  integer,
  ipBytes,
  ipRangeBytes,
  namedBits,
  nullValue,
  octets,
  oid,
  seq,
  set,
  stringValue,
  time,
  tlv,
} from './der.js';
import type { KeyPool, PoolKey } from './keys.js';
import type {
  AttrSpec,
  CertSpec,
  ChainSpec,
  Corruption,
  ExtSpec,
  GeneralNameSpec,
  KeyUsageBit,
  NameSpec,
  SubtreeSpec,
  TimeForm,
} from './spec.js';

const DAY = 86_400_000;

const ATTRIBUTE_OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  serialNumber: '2.5.4.5',
  emailAddress: '1.2.840.113549.1.9.1',
  DC: '0.9.2342.19200300.100.1.25',
};

export const EKU_OIDS: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  any: '2.5.29.37.0',
  nsSGC: '2.16.840.1.113730.4.1',
  msSGC: '1.3.6.1.4.1.311.10.3.3',
};

const KU_BITS: KeyUsageBit[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EXTENSION_OIDS = {
  bc: '2.5.29.19',
  ku: '2.5.29.15',
  eku: '2.5.29.37',
  san: '2.5.29.17',
  ian: '2.5.29.18',
  nc: '2.5.29.30',
  ski: '2.5.29.14',
  aki: '2.5.29.35',
  aia: '1.3.6.1.5.5.7.1.1',
  policies: '2.5.29.32',
  nsCertType: '2.16.840.1.113730.1.1',
} as const;

function attribute(attr: AttrSpec): Buffer {
  const type = ATTRIBUTE_OIDS[attr.type] ?? attr.type;
  const tag =
    attr.tag ?? (attr.type === 'C' ? 'printable' : attr.type === 'emailAddress' || attr.type === 'DC' ? 'ia5' : 'utf8');
  if (attr.hex !== undefined) return seq(oid(type), tlv(stringValue(tag, '')[0]!, Buffer.from(attr.hex, 'hex')));
  return seq(oid(type), stringValue(tag, attr.value));
}

function validityTime(date: Date, form: TimeForm | undefined, field: 'before' | 'after'): Buffer {
  const digits = date.toISOString().slice(0, 19).replace(/[-T:]/g, ''); // YYYYMMDDHHMMSS
  switch (form) {
    case undefined:
      return time(date);
    case 'generalized':
      return tlv(0x18, Buffer.from(`${digits}Z`, 'latin1'));
    case 'no-seconds':
      return tlv(0x17, Buffer.from(`${digits.slice(2, 12)}Z`, 'latin1'));
    case 'offset':
      return tlv(0x17, Buffer.from(`${digits.slice(2)}+0000`, 'latin1'));
    case 'fraction':
      return tlv(0x18, Buffer.from(`${digits}.5Z`, 'latin1'));
    case 'garbage-before':
    case 'garbage-after':
      return form === `garbage-${field}` ? tlv(0x17, Buffer.from('notadate!!!!Z', 'latin1')) : time(date);
  }
}

// P-256 domain parameters (SEC 2, section 2.4.2), for SPKIs written with explicit parameters.
const P256 = {
  p: 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff',
  a: 'ffffffff00000001000000000000000000000000fffffffffffffffffffffffc',
  b: '5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b',
  g: '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
  n: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
};

function explicitCurveSpki(key: PoolKey): Buffer {
  const point = key.spki.subarray(key.spki.length - 65);
  const big = (hex: string) => integer(BigInt(`0x${hex}`));
  const params = seq(
    integer(1),
    seq(oid('1.2.840.10045.1.1'), big(P256.p)),
    seq(octets(Buffer.from(P256.a, 'hex')), octets(Buffer.from(P256.b, 'hex'))),
    octets(Buffer.from(P256.g, 'hex')),
    big(P256.n),
    integer(1),
  );
  return seq(seq(oid('1.2.840.10045.2.1'), params), bitString(point));
}

export function encodeName(name: NameSpec): Buffer {
  return seq(...name.map((rdn) => set(...(Array.isArray(rdn) ? rdn : [rdn]).map(attribute))));
}

function ipName(value: string | number[], inConstraint: boolean): Buffer {
  if (Array.isArray(value)) return Buffer.from(value);
  return inConstraint ? ipRangeBytes(value) : ipBytes(value);
}

export function encodeGeneralName(name: GeneralNameSpec, inConstraint = false): Buffer {
  if ('dns' in name) return ctx(2, Buffer.from(name.dns, 'latin1'), false);
  if ('email' in name) return ctx(1, Buffer.from(name.email, 'latin1'), false);
  if ('uri' in name) return ctx(6, Buffer.from(name.uri, 'latin1'), false);
  if ('ip' in name) return ctx(7, ipName(name.ip, inConstraint), false);
  if ('dn' in name) return ctx(4, encodeName(name.dn), true);
  if ('rid' in name) return ctx(8, oid(name.rid).subarray(2), false);
  return ctx(0, Buffer.concat([oid(name.other.oid), ctx(0, stringValue('utf8', name.other.utf8), true)]), true);
}

function subtrees(list: SubtreeSpec[]): Buffer {
  return Buffer.concat(
    list.map((s) =>
      seq(
        encodeGeneralName(s.base, true),
        ...(s.min !== undefined ? [tlv(0x80, integer(s.min).subarray(2))] : []),
        ...(s.max !== undefined ? [tlv(0x81, integer(s.max).subarray(2))] : []),
      ),
    ),
  );
}

export function keyId(key: PoolKey): Buffer {
  return createHash('sha1').update(key.spki).digest();
}

/** The SKI value a certificate spec carries (or would carry): explicit hex, else the SHA-1 of its SPKI. */
function subjectKeyId(cert: CertSpec, keys: KeyPool): Buffer {
  const ski = cert.extensions.find((e) => e.type === 'ski');
  if (ski && ski.type === 'ski' && ski.keyId !== undefined && ski.keyId !== 'auto')
    return Buffer.from(ski.keyId, 'hex');
  return keyId(poolKey(keys, cert.key));
}

function poolKey(keys: KeyPool, name: string): PoolKey {
  const key = keys.get(name);
  if (!key) throw new Error(`no key ${name} in the pool`);
  return key;
}

function extensionValue(ext: ExtSpec, cert: CertSpec, issuer: CertSpec | undefined, keys: KeyPool): Buffer {
  switch (ext.type) {
    case 'bc':
      return seq(
        ...(ext.ca ? [bool(true)] : ext.explicitFalse ? [bool(false)] : []),
        ...(ext.pathLen !== undefined ? [integer(ext.pathLen)] : []),
      );
    case 'ku':
      return namedBits(ext.bits.map((b) => KU_BITS.indexOf(b)));
    case 'eku':
      return seq(...ext.oids.map((o) => oid(EKU_OIDS[o] ?? o)));
    case 'san':
    case 'ian':
      return seq(...ext.names.map((n) => encodeGeneralName(n)));
    case 'nc':
      return seq(
        ...(ext.permitted ? [ctx(0, subtrees(ext.permitted), true)] : []),
        ...(ext.excluded ? [ctx(1, subtrees(ext.excluded), true)] : []),
      );
    case 'ski':
      return octets(subjectKeyId(cert, keys));
    case 'aki': {
      const parts: Buffer[] = [];
      if (ext.keyId !== null) {
        const id =
          ext.keyId === undefined || ext.keyId === 'auto'
            ? issuer
              ? subjectKeyId(issuer, keys)
              : Buffer.alloc(20)
            : Buffer.from(ext.keyId, 'hex');
        parts.push(ctx(0, id, false));
      }
      if (ext.issuer) parts.push(ctx(1, ctx(4, encodeName(ext.issuer), true), true));
      else if (ext.issuerNames)
        parts.push(ctx(1, Buffer.concat(ext.issuerNames.map((n) => encodeGeneralName(n))), true));
      if (ext.serial !== undefined) parts.push(ctx(2, integer(ext.serial).subarray(2), false));
      return seq(...parts);
    }
    case 'aia':
      return seq(
        ...(ext.ocsp ?? []).map((u) => seq(oid('1.3.6.1.5.5.7.48.1'), encodeGeneralName({ uri: u }))),
        ...(ext.caIssuers ?? []).map((u) => seq(oid('1.3.6.1.5.5.7.48.2'), encodeGeneralName({ uri: u }))),
      );
    case 'policies':
      return seq(...ext.oids.map((o) => seq(oid(o))));
    case 'nsCertType':
      return tlv(0x03, Buffer.from([0, ext.bits & 0xff]));
    case 'raw':
      return Buffer.from(ext.hex, 'hex');
  }
}

function corrupt(value: Buffer, how: Corruption | undefined): Buffer {
  switch (how) {
    case undefined:
      return value;
    case 'truncate':
      return value.subarray(0, Math.max(0, value.length - 1));
    case 'trailing':
      return Buffer.concat([value, Buffer.from([0, 0])]);
    case 'garbage':
      return Buffer.from('deadbeef', 'hex');
    case 'empty':
      return Buffer.alloc(0);
    case 'badlength': {
      if (value.length < 2 || value[1]! >= 0x7f)
        return Buffer.concat([value.subarray(0, 1), Buffer.from([0x7f]), value.subarray(2)]);
      const out = Buffer.from(value);
      out[1] = value[1]! + 1;
      return out;
    }
  }
}

function extensionOid(ext: ExtSpec): string {
  return ext.type === 'raw' ? ext.oid : EXTENSION_OIDS[ext.type];
}

const SHA256 = '2.16.840.1.101.3.4.2.1';

function signatureAlgorithm(key: PoolKey, digest: string, pss: boolean): Buffer {
  if (key.type === 'ed25519') return seq(oid('1.3.101.112'));
  if (key.type === 'ed448') return seq(oid('1.3.101.113'));
  if (key.type === 'rsa-pss' || (key.type === 'rsa' && pss)) {
    // RFC 4055 RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, 32-byte salt.
    return seq(
      oid('1.2.840.113549.1.1.10'),
      seq(
        ctx(0, seq(oid(SHA256)), true),
        ctx(1, seq(oid('1.2.840.113549.1.1.8'), seq(oid(SHA256))), true),
        ctx(2, integer(32), true),
      ),
    );
  }
  if (key.type === 'dsa')
    return seq(
      oid({ sha1: '1.2.840.10040.4.3', sha256: '2.16.840.1.101.3.4.3.2', sha384: '2.16.840.1.101.3.4.3.3' }[digest]!),
    );
  if (key.type === 'ec')
    return seq(
      oid({ sha1: '1.2.840.10045.4.1', sha256: '1.2.840.10045.4.3.2', sha384: '1.2.840.10045.4.3.3' }[digest]!),
    );
  return seq(
    oid({ sha1: '1.2.840.113549.1.1.5', sha256: '1.2.840.113549.1.1.11', sha384: '1.2.840.113549.1.1.12' }[digest]!),
    nullValue(),
  );
}

/** One certificate of a chain spec as DER. */
export function buildCertificate(chain: ChainSpec, cert: CertSpec, keys: KeyPool, now: Date, index: number): Buffer {
  const issuer = chain.certs.find((c) => c.id === cert.issuer);
  const signer = poolKey(keys, cert.signKey ?? issuer?.key ?? cert.key);
  const digest = cert.digest ?? 'sha256';
  const pss = (!!cert.pss && signer.type === 'rsa') || signer.type === 'rsa-pss';
  const realAlg = signatureAlgorithm(signer, digest, pss);
  const claimed = cert.sigAlgOid ? seq(oid(cert.sigAlgOid.oid)) : realAlg;
  const alg = cert.sigAlgOid?.where === 'both' ? claimed : realAlg;
  const outerAlg = cert.sigAlgOid ? claimed : realAlg;
  const version = cert.version ?? 3;
  const v3 = version === 3;
  const extensions = cert.extensions.map((ext) =>
    seq(
      oid(extensionOid(ext)),
      ...(ext.critical ? [bool(true)] : []),
      octets(corrupt(extensionValue(ext, cert, issuer, keys), ext.corrupt)),
    ),
  );
  const tbs = seq(
    ...(version > 1 ? [ctx(0, integer(version - 1), true)] : []),
    integer(cert.serial ?? 0x1000 + index),
    alg,
    encodeName(cert.issuerName ?? issuer?.subject ?? cert.subject),
    seq(
      validityTime(new Date(now.getTime() + cert.notBefore * DAY), cert.timeForm, 'before'),
      validityTime(new Date(now.getTime() + cert.notAfter * DAY), cert.timeForm, 'after'),
    ),
    encodeName(cert.subject),
    cert.explicitCurve && poolKey(keys, cert.key).spki.length === 91
      ? explicitCurveSpki(poolKey(keys, cert.key))
      : poolKey(keys, cert.key).spki,
    ...(v3 && extensions.length > 0 ? [ctx(3, seq(...extensions), true)] : []),
  );
  const signature =
    signer.type === 'ed25519' || signer.type === 'ed448'
      ? sign(null, tbs, signer.privateKey)
      : sign(
          pss ? 'sha256' : digest,
          tbs,
          pss
            ? { key: signer.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
            : signer.privateKey,
        );
  return seq(tbs, outerAlg, bitString(signature));
}

export interface BuiltChain {
  spec: ChainSpec;
  /** DER of every certificate by id. */
  der: Map<string, Buffer>;
  anchors: Buffer[];
  sent: Buffer[];
  leafKeyPem: string;
}

export function buildChain(spec: ChainSpec, keys: KeyPool, now: Date): BuiltChain {
  const der = new Map<string, Buffer>();
  spec.certs.forEach((cert, i) => der.set(cert.id, buildCertificate(spec, cert, keys, now, i)));
  const pick = (id: string) => {
    const d = der.get(id);
    if (!d) throw new Error(`${spec.name}: no certificate ${id}`);
    return d;
  };
  const leaf = spec.certs.find((c) => c.id === spec.sent[0]);
  if (!leaf) throw new Error(`${spec.name}: no leaf`);
  return {
    spec,
    der,
    anchors: spec.anchors.map(pick),
    sent: spec.sent.map(pick),
    leafKeyPem: poolKey(keys, leaf.key).keyPem,
  };
}

export function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}
