// Chains, one per OpenSSL verification rule, with the verdict a Node 20 client reports for each
// (measured against a real handshake and `openssl verify -purpose sslserver` when written).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  buildCertificate,
  generalNameDer,
  type CertificateSpec,
  type NameAttribute,
} from '../../src/ca/certificate-builder.js';
import { encodeTlv } from '../../src/trust/der.js';

const DAY = 86_400_000;

export interface CaseCert {
  der: Buffer;
  pem: string;
  keyPem: string;
  name: NameAttribute[];
  nameDer?: Buffer;
  key: { publicKey: KeyObject; privateKey: KeyObject };
}

export interface VerifyCase {
  name: string;
  sent: CaseCert[];
  anchors: CaseCert[];
  host: string | null;
  options?: { maxDepth?: number; untrusted?: CaseCert[] };
  /** Node's authorizationError (or ERR_TLS_CERT_ALTNAME_INVALID), OpenSSL's number and the depth; 'ok' when it verifies. */
  expected: 'ok' | { code: string; opensslCode: number; depth: number };
}

function ecKey() {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export async function caseCert(
  cn: string | NameAttribute[],
  issuer: CaseCert | null,
  spec: Partial<CertificateSpec> = {},
  key = ecKey(),
): Promise<CaseCert> {
  const name = typeof cn === 'string' ? [{ type: 'CN', value: cn }] : cn;
  const now = Date.now();
  const built = await buildCertificate({
    subject: name,
    issuer: issuer ? issuer.name : name,
    ...(issuer?.nameDer ? { issuerNameDer: issuer.nameDer } : {}),
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    publicKey: key.publicKey,
    signingKey: issuer ? issuer.key.privateKey : key.privateKey,
    issuerPublicKey: issuer ? issuer.key.publicKey : key.publicKey,
    ...spec,
  });
  return {
    der: built.der,
    pem: built.pem,
    keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    name,
    key,
    ...(spec.subjectNameDer ? { nameDer: spec.subjectNameDer } : {}),
  };
}

const UNKNOWN_CRITICAL = { oid: '1.3.6.1.4.1.55555.1', critical: true, valueDer: Buffer.from([0x05, 0x00]) };
const SAN = '2.5.29.17';
const san = (...names: string[]) => ({
  oid: SAN,
  critical: false,
  valueDer: encodeTlv(0x30, ...names.map((n) => generalNameDer(n))),
});
const nameDer = (attrs: Array<[string, string]>) =>
  encodeTlv(
    0x30,
    ...attrs.map(([oid, value]) =>
      encodeTlv(0x31, encodeTlv(0x30, encodeTlv(0x06, Buffer.from(oid, 'hex')), encodeTlv(0x0c, Buffer.from(value)))),
    ),
  );
const O = '55040a';
const fail = (code: string, opensslCode: number, depth: number) => ({ code, opensslCode, depth });
const expired = { notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) };

export async function makeVerifyCases(): Promise<VerifyCase[]> {
  const root = await caseCert('Case Root', null, { isCA: true });
  const inter = await caseCert('Case Intermediate', root, { isCA: true });
  const leaf = await caseCert('good.test', inter, { dnsNames: ['good.test'] });
  const leafUnder = (issuer: CaseCert, spec: Partial<CertificateSpec> = {}, cn = 'good.test') =>
    caseCert(cn, issuer, { dnsNames: [cn], ...spec });
  const cases: VerifyCase[] = [
    { name: 'a valid chain', sent: [leaf, inter], anchors: [root], host: 'good.test', expected: 'ok' },
  ];
  const add = (
    name: string,
    sent: CaseCert[],
    anchors: CaseCert[],
    expected: VerifyCase['expected'],
    host: string | null = 'good.test',
    options?: VerifyCase['options'],
  ) => cases.push({ name, sent, anchors, host, expected, ...(options ? { options } : {}) });

  // Name constraints (47, 48, 49, 53), from the root and from an intermediate.
  const ncRoot = await caseCert('NC Root', null, { isCA: true, nameConstraints: { permitted: ['DNS:good.test'] } });
  const ncInter = await caseCert('NC Intermediate', ncRoot, { isCA: true });
  add(
    'a root permitting good.test over a leaf for evil.example.com: 47',
    [await leafUnder(ncInter, {}, 'evil.example.com'), ncInter],
    [ncRoot],
    fail('UNSPECIFIED', 47, 0),
    'evil.example.com',
  );
  add(
    'an expired leaf that also violates a constraint: the constraint is reported last',
    [await leafUnder(ncInter, expired, 'evil.example.com'), ncInter],
    [ncRoot],
    fail('UNSPECIFIED', 47, 0),
    'evil.example.com',
  );
  add(
    'a permitted subdomain passes',
    [await leafUnder(ncInter, {}, 'www.good.test'), ncInter],
    [ncRoot],
    'ok',
    'www.good.test',
  );
  const exInter = await caseCert('Excluding Intermediate', root, {
    isCA: true,
    nameConstraints: { excluded: ['DNS:bank.test'] },
  });
  add(
    'an intermediate excluding bank.test over a leaf for www.bank.test: 48',
    [await leafUnder(exInter, {}, 'www.bank.test'), exInter],
    [root],
    fail('UNSPECIFIED', 48, 0),
    'www.bank.test',
  );
  const ipRoot = await caseCert('IP Root', null, {
    isCA: true,
    nameConstraints: { permitted: ['IP:10.0.0.0/255.0.0.0'] },
  });
  add(
    'an IP SAN outside a permitted IPv4 range: 47',
    [await caseCert('ip leaf', ipRoot, { ipAddresses: ['192.168.1.1'] })],
    [ipRoot],
    fail('UNSPECIFIED', 47, 0),
    '192.168.1.1',
  );
  add(
    'an IP SAN inside the range passes, the name checked as an IP',
    [await caseCert('ip leaf', ipRoot, { ipAddresses: ['10.1.2.3'] })],
    [ipRoot],
    'ok',
    '10.1.2.3',
  );
  const ip6Root = await caseCert('IPv6 Root', null, {
    isCA: true,
    nameConstraints: { permitted: ['IP:2001:db8::/ffff:ffff::'] },
  });
  add(
    'an IPv4 SAN against an IPv6-only constraint: 47',
    [await caseCert('ip leaf', ip6Root, { ipAddresses: ['10.1.2.3'] })],
    [ip6Root],
    fail('UNSPECIFIED', 47, 0),
    '10.1.2.3',
  );
  const badIpRoot = await caseCert('Bad IP Root', null, {
    isCA: true,
    nameConstraints: { permitted: [Buffer.from([0x87, 5, 10, 0, 0, 0, 255])] },
  });
  add(
    'a 5-byte IP constraint meeting an IP SAN: 53',
    [await caseCert('ip leaf', badIpRoot, { ipAddresses: ['10.1.2.3'] })],
    [badIpRoot],
    fail('UNSPECIFIED', 53, 0),
    '10.1.2.3',
  );
  const mailRoot = await caseCert('Mail Root', null, {
    isCA: true,
    nameConstraints: { permitted: ['email:example.com'] },
  });
  add(
    'an email SAN on a subdomain of a host-only email constraint: 47',
    [await caseCert('good.test', mailRoot, { extraExtensions: [san('DNS:good.test', 'email:a@mail.example.com')] })],
    [mailRoot],
    fail('UNSPECIFIED', 47, 0),
  );
  const dnRoot = await caseCert('DN Root', null, {
    isCA: true,
    nameConstraints: { permitted: [encodeTlv(0xa4, nameDer([[O, 'Good']]))] },
  });
  add(
    'a subject outside a permitted directoryName: 47',
    [
      await caseCert(
        [
          { type: 'O', value: 'Evil' },
          { type: 'CN', value: 'good.test' },
        ],
        dnRoot,
        { dnsNames: ['good.test'] },
      ),
    ],
    [dnRoot],
    fail('UNSPECIFIED', 47, 0),
  );
  add(
    'a leaf without SAN: a hostname-like CN is checked as a dNSName',
    [await caseCert('evil.example.com', ncRoot)],
    [ncRoot],
    fail('UNSPECIFIED', 47, 0),
    null,
  );
  add(
    'a leaf without SAN: a CN that is not hostname-like is not checked',
    [await caseCert('localhost', ncRoot)],
    [ncRoot],
    'ok',
    null,
  );

  // Critical extensions OpenSSL does not handle (34), at any depth.
  add(
    'an unknown critical extension on the leaf: 34',
    [await leafUnder(inter, { extraExtensions: [UNKNOWN_CRITICAL] }), inter],
    [root],
    fail('UNSPECIFIED', 34, 0),
  );
  const critRoot = await caseCert('Critical Root', null, { isCA: true, extraExtensions: [UNKNOWN_CRITICAL] });
  const critRootInter = await caseCert('Under Critical Root', critRoot, { isCA: true });
  add(
    'an unknown critical extension on the trust anchor: 34 at its depth',
    [await leafUnder(critRootInter), critRootInter],
    [critRoot],
    fail('UNSPECIFIED', 34, 2),
  );
  add(
    'a critical AKID (a known extension OpenSSL does not list as handled): 34',
    [
      await leafUnder(inter, {
        omitAuthorityKeyId: true,
        extraExtensions: [{ oid: '2.5.29.35', critical: true, valueDer: encodeTlv(0x30) }],
      }),
      inter,
    ],
    [root],
    fail('UNSPECIFIED', 34, 0),
  );
  add(
    'a critical nameConstraints is handled',
    [await leafUnder(ncInter, {}, 'a.good.test'), ncInter],
    [ncRoot],
    'ok',
    'a.good.test',
  );

  // Malformed and empty: never an exception.
  add(
    'a malformed SAN: the leaf cannot link (21)',
    [
      await caseCert('good.test', inter, {
        extraExtensions: [{ oid: SAN, critical: false, valueDer: Buffer.from([0x30, 0x05, 0x82, 0x09]) }],
      }),
      inter,
    ],
    [root],
    fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 21, 0),
  );
  add(
    'a malformed AIA is ignored',
    [
      await leafUnder(inter, {
        extraExtensions: [
          { oid: '1.3.6.1.5.5.7.1.1', critical: false, valueDer: Buffer.from([0x30, 0x10, 0x30, 0x03]) },
        ],
      }),
      inter,
    ],
    [root],
    'ok',
  );
  add(
    'a leaf with an empty subject and a SAN',
    [await caseCert([], inter, { dnsNames: ['good.test'], subjectNameDer: encodeTlv(0x30) }), inter],
    [root],
    'ok',
  );
  const emptyCa = await caseCert([], root, { isCA: true, subjectNameDer: encodeTlv(0x30) });
  add(
    'an intermediate with an empty subject issues a leaf with an empty issuer',
    [await leafUnder(emptyCa), emptyCa],
    [root],
    'ok',
  );
  const emptyKu = await caseCert('Empty KU Intermediate', root, {
    isCA: true,
    keyUsage: null,
    extraExtensions: [{ oid: '2.5.29.15', critical: true, valueDer: Buffer.from([0x03, 0x01, 0x00]) }],
  });
  add(
    'an empty keyUsage makes the intermediate invalid: nothing links to it (21)',
    [await leafUnder(emptyKu), emptyKu],
    [root],
    fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 21, 0),
  );

  // Issuer matching: AKID rules and self-signed roots.
  add(
    'an AKID keyId that differs from the issuer SKID: no issuer (21)',
    [
      await leafUnder(inter, {
        omitAuthorityKeyId: true,
        extraExtensions: [
          { oid: '2.5.29.35', critical: false, valueDer: encodeTlv(0x30, encodeTlv(0x80, Buffer.alloc(20, 7))) },
        ],
      }),
      inter,
    ],
    [root],
    fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 21, 0),
  );
  const serialRoot = await caseCert('Serial Root', null, {
    isCA: true,
    serialHex: '05',
    omitAuthorityKeyId: true,
    extraExtensions: [
      { oid: '2.5.29.35', critical: false, valueDer: encodeTlv(0x30, encodeTlv(0x82, Buffer.from([6]))) },
    ],
  });
  add(
    'a root whose AKID serial is not its own is not self-signed: 2 at its depth',
    [await leafUnder(serialRoot)],
    [serialRoot],
    fail('UNABLE_TO_GET_ISSUER_CERT', 2, 1),
  );
  add(
    'a root sent by the server but not trusted: 19',
    [leaf, inter, root],
    [],
    fail('SELF_SIGNED_CERT_IN_CHAIN', 19, 2),
  );
  add(
    'a self-signed leaf: 18',
    [await caseCert('good.test', null, { dnsNames: ['good.test'] })],
    [],
    fail('DEPTH_ZERO_SELF_SIGNED_CERT', 18, 0),
  );

  // Path length, depth, CA status, key usage, purpose, time.
  const pl0 = await caseCert('PL0 Root', null, { isCA: true, pathLen: 0 });
  const plInter = await caseCert('PL Intermediate', pl0, { isCA: true });
  add(
    'a pathLen 0 root over an intermediate: 25 at the root',
    [await leafUnder(plInter), plInter],
    [pl0],
    fail('PATH_LENGTH_EXCEEDED', 25, 2),
  );
  const rollover = await caseCert('PL0 Root', pl0, { isCA: true });
  add(
    'a pathLen 0 root over a same-name rollover certificate passes',
    [await leafUnder(rollover), rollover],
    [pl0],
    'ok',
  );
  add(
    'maxDepth 0 over leaf, intermediate, root: 22 at depth 1',
    [leaf, inter],
    [root],
    fail('CERT_CHAIN_TOO_LONG', 22, 1),
    'good.test',
    { maxDepth: 0 },
  );
  add('maxDepth 1 allows one intermediate', [leaf, inter], [root], 'ok', 'good.test', { maxDepth: 1 });
  const kuInter = await caseCert('KU Intermediate', root, { isCA: true, keyUsage: ['digitalSignature'] });
  add(
    'an intermediate whose keyUsage lacks keyCertSign: 32 at its depth',
    [await leafUnder(kuInter), kuInter],
    [root],
    fail('UNSPECIFIED', 32, 1),
  );
  const notCa = await caseCert('Not A CA', root, { isCA: false, keyUsage: ['keyCertSign'], extKeyUsage: null });
  add(
    'an intermediate with cA false: 79, then purpose 26',
    [await leafUnder(notCa), notCa],
    [root],
    fail('INVALID_PURPOSE', 26, 1),
  );
  const noBc = await caseCert('No BC Intermediate', root, {
    omitBasicConstraints: true,
    keyUsage: ['keyCertSign'],
    extKeyUsage: null,
  });
  add(
    'keyCertSign without basicConstraints below the top: 79',
    [await leafUnder(noBc), noBc],
    [root],
    fail('INVALID_CA', 79, 1),
  );
  add(
    'a leaf for clientAuth only: 26',
    [await leafUnder(inter, { extKeyUsage: ['clientAuth'] }), inter],
    [root],
    fail('INVALID_PURPOSE', 26, 0),
  );
  const oldRoot = await caseCert('Expired Root', null, { isCA: true, ...expired });
  const underOld = await caseCert('Under Expired Root', oldRoot, { isCA: true });
  add(
    'an expired trust anchor: 10 at its depth',
    [await leafUnder(underOld), underOld],
    [oldRoot],
    fail('CERT_HAS_EXPIRED', 10, 2),
  );
  add(
    'an expired leaf whose intermediate was not sent: 21, then 10',
    [await leafUnder(inter, expired)],
    [root],
    fail('CERT_HAS_EXPIRED', 10, 0),
  );
  add('the intermediate from the extra untrusted list', [leaf], [root], 'ok', 'good.test', { untrusted: [inter] });
  add('an intermediate in the store is used, then its root', [leaf], [inter, root], 'ok');

  // Node's security level 1: a weak leaf key is reported first, and again at the top instead of a missing issuer.
  const weakLeaf = await caseCert(
    'good.test',
    inter,
    { dnsNames: ['good.test'] },
    generateKeyPairSync('rsa', { modulusLength: 768 }),
  );
  add('a 768-bit RSA leaf: 66', [weakLeaf, inter], [root], fail('UNSPECIFIED', 66, 0));
  add(
    'a 768-bit RSA leaf under a store intermediate without its root: 66 again at the top, not 2',
    [weakLeaf, inter],
    [inter],
    fail('UNSPECIFIED', 66, 1),
  );

  // The name, after everything else passed.
  add('a hostname mismatch', [leaf, inter], [root], fail('ERR_TLS_CERT_ALTNAME_INVALID', 62, 0), 'other.test');
  add(
    'an IP literal against a certificate without IP SAN',
    [leaf, inter],
    [root],
    fail('ERR_TLS_CERT_ALTNAME_INVALID', 62, 0),
    '127.0.0.1',
  );
  return cases;
}
