// Generates the fixture PKI for tests into a directory: CAs, leaves and one scenario per chain problem.
// Run directly (`node --import=tsx scripts/fixture-pki.ts DIR`) to inspect the files by hand.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCertificate, type CertificateSpec, type NameAttribute } from '../src/ca/certificate-builder.js';
import type { Problem } from '../src/types.js';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;

export interface Identity {
  name: string;
  subject: NameAttribute[];
  key: { publicKey: KeyObject; privateKey: KeyObject };
  pem: string;
  der: Buffer;
  keyPem: string;
}

export interface Scenario {
  name: string;
  /** The name a client asks for (SNI and hostname check); null for an IP target. */
  host: string | null;
  /** PEMs exactly as the server sends them, leaf first. */
  sent: string[];
  keyPem: string;
  /** Problem code tlswitness must report when only the public fixture roots are trusted. */
  problem: Problem;
  /** OpenSSL's verify result for that case (before the hostname check). */
  opensslCode: number;
  requestClientCert?: boolean;
  /** The server must run at OpenSSL security level 0 to load this chain at all. */
  legacyServer?: boolean;
  /** Trust anchors (PEM) for this scenario's OpenSSL-agreement check, when not the public root. */
  anchors?: string[];
}

export interface FixturePki {
  dir: string;
  publicRoot: Identity;
  publicIntermediate: Identity;
  deepIntermediate: Identity;
  corporateRoot: Identity;
  corporateIntermediate: Identity;
  unknownRoot: Identity;
  unknownIntermediate: Identity;
  unrelated: Identity;
  clientRoot: Identity;
  client: Identity;
  strangerClient: Identity;
  scenarios: Record<string, Scenario>;
  /** File paths: public-roots.pem, corporate-root.pem, intermediate.der, client.pem, client-key.pem, ... */
  files: Record<string, string>;
}

export interface FixtureOptions {
  /** Base of the AIA caIssuers URLs written into leaves (a test's local HTTP server). */
  aiaBaseUrl?: string;
  now?: number;
}

type KeyKind = 'ec' | 'rsa' | 'rsa-1024' | 'rsa-weak';

async function newKey(kind: KeyKind): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (kind === 'rsa-weak') return generate('rsa', { modulusLength: 768 });
  if (kind === 'rsa-1024') return generate('rsa', { modulusLength: 1024 });
  return kind === 'rsa' ? generate('rsa', { modulusLength: 2048 }) : generate('ec', { namedCurve: 'prime256v1' });
}

async function issue(
  name: string,
  subject: NameAttribute[],
  kind: KeyKind,
  issuer: Identity | null,
  spec: Partial<CertificateSpec>,
  now: number,
): Promise<Identity> {
  const key = await newKey(kind);
  const built = await buildCertificate({
    subject,
    issuer: issuer?.subject ?? subject,
    notBefore: new Date(now - 30 * DAY),
    notAfter: new Date(now + 365 * DAY),
    publicKey: key.publicKey,
    signingKey: issuer?.key.privateKey ?? key.privateKey,
    issuerPublicKey: issuer?.key.publicKey ?? key.publicKey,
    ...spec,
  });
  const keyPem = key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { name, subject, key, pem: built.pem, der: built.der, keyPem };
}

const cn = (value: string, org?: string): NameAttribute[] =>
  org
    ? [
        { type: 'C', value: 'US' },
        { type: 'O', value: org },
        { type: 'CN', value },
      ]
    : [{ type: 'CN', value }];

export async function makeFixturePki(dir: string, options: FixtureOptions = {}): Promise<FixturePki> {
  const now = options.now ?? Date.now();
  const aia = (file: string) => [`${options.aiaBaseUrl ?? 'http://127.0.0.1:9'}/${file}`];
  const ca = { isCA: true };

  const publicRoot = await issue(
    'public-root',
    cn('Fixture Public Root R1', 'Fixture Trust Services'),
    'rsa',
    null,
    ca,
    now,
  );
  const publicIntermediate = await issue(
    'public-intermediate',
    cn('Fixture Public CA 1', 'Fixture Trust Services'),
    'ec',
    publicRoot,
    { ...ca, pathLen: 1 },
    now,
  );
  const deepIntermediate = await issue(
    'deep-intermediate',
    cn('Fixture Issuing CA 2', 'Fixture Trust Services'),
    'ec',
    publicIntermediate,
    { ...ca, pathLen: 0, aiaCaIssuers: aia('public-intermediate.der') },
    now,
  );
  // Like some antivirus and corporate roots: basic constraints not critical (Python 3.13 strict mode refuses it).
  const corporateRoot = await issue(
    'corporate-root',
    cn('Example Corp Root CA', 'Example Corp'),
    'ec',
    null,
    { ...ca, basicConstraintsCritical: false },
    now,
  );
  const corporateIntermediate = await issue(
    'corporate-intermediate',
    cn('Example Corp Issuing CA', 'Example Corp'),
    'ec',
    corporateRoot,
    ca,
    now,
  );
  const unknownRoot = await issue('unknown-root', cn('Nobody Trusts Me Root', 'Unknown Org'), 'ec', null, ca, now);
  const unknownIntermediate = await issue(
    'unknown-intermediate',
    cn('Nobody Trusts Me CA', 'Unknown Org'),
    'ec',
    unknownRoot,
    ca,
    now,
  );
  const unrelated = await issue('unrelated', cn('Unrelated Extra CA', 'Unknown Org'), 'ec', unknownRoot, ca, now);
  const clientRoot = await issue('client-root', cn('Fixture Client Root', 'Fixture mTLS'), 'ec', null, ca, now);
  const strangerRoot = await issue('stranger-root', cn('Stranger Client Root', 'Elsewhere'), 'ec', null, ca, now);
  const client = await issue('client', cn('fixture-client'), 'ec', clientRoot, { extKeyUsage: ['clientAuth'] }, now);
  const strangerClient = await issue(
    'stranger-client',
    cn('stranger-client'),
    'ec',
    strangerRoot,
    { extKeyUsage: ['clientAuth'] },
    now,
  );

  const leaf = (name: string, issuer: Identity, spec: Partial<CertificateSpec> = {}, kind: KeyKind = 'ec') =>
    issue(
      name,
      cn(`${name}.example.com`),
      kind,
      issuer,
      { dnsNames: [`${name}.example.com`], aiaCaIssuers: aia(`${issuer.name}.der`), ...spec },
      now,
    );

  const valid = await leaf('valid', publicIntermediate, {}, 'rsa');
  const incomplete = await leaf('incomplete', publicIntermediate);
  const expired = await leaf('expired', publicIntermediate, {
    notBefore: new Date(now - 60 * DAY),
    notAfter: new Date(now - 30 * DAY),
  });
  const notYetValid = await leaf('not-yet-valid', publicIntermediate, {
    notBefore: new Date(now + 30 * DAY),
    notAfter: new Date(now + 90 * DAY),
  });
  // As `openssl req -x509` makes them: CA:TRUE, no key usage, the subject signs itself.
  const selfSigned = await issue(
    'self-signed',
    cn('self-signed.example.com'),
    'ec',
    null,
    { isCA: true, keyUsage: null, extKeyUsage: null, dnsNames: ['self-signed.example.com'] },
    now,
  );
  const unknownLeaf = await leaf('unknown-root', unknownIntermediate);
  const mismatch = await leaf('other-name', publicIntermediate);
  const wrongOrder = await leaf('wrong-order', deepIntermediate);
  const extra = await leaf('extra-cert', publicIntermediate);
  // An internal name: a company CA on it is the company badge, not interception (SPEC).
  const corporate = await issue(
    'corporate',
    cn('intranet.corp'),
    'ec',
    corporateIntermediate,
    { dnsNames: ['intranet.corp'], aiaCaIssuers: aia('corporate-intermediate.der') },
    now,
  );
  const ipLeaf = await issue('ip-san', cn('127.0.0.1'), 'ec', publicIntermediate, { ipAddresses: ['127.0.0.1'] }, now);
  const mtls = await leaf('mtls', publicIntermediate);

  // Corner cases of OpenSSL's checks, each with its own anchors.
  const v1Root = await issue('v1-root', cn('Fixture Old V1 Root', 'Fixture Legacy'), 'rsa', null, { v1: true }, now);
  const v1Leaf = await leaf('v1-root', v1Root);
  const noBcCA = await issue(
    'no-bc-ca',
    cn('Fixture CA Without Basic Constraints', 'Fixture Quirks'),
    'ec',
    publicRoot,
    { omitBasicConstraints: true, keyUsage: ['keyCertSign', 'cRLSign'] },
    now,
  );
  const noBcLeaf = await leaf('no-bc-ca', noBcCA);
  const clientAuthRoot = await issue(
    'client-auth-root',
    cn('Fixture Client-Auth-Only Root', 'Fixture Quirks'),
    'ec',
    null,
    { isCA: true, extKeyUsage: ['clientAuth'] },
    now,
  );
  const clientAuthLeaf = await leaf('client-auth-root', clientAuthRoot);
  const sha1Leaf = await leaf('sha1', publicIntermediate, { digest: 'sha1' });
  const weakKeyLeaf = await leaf('weak-key', publicIntermediate, {}, 'rsa-weak');
  const rsa1024Leaf = await leaf('rsa-1024', publicIntermediate, {}, 'rsa-1024');
  const expiredRoot = await issue(
    'expired-root',
    cn('Fixture Expired Root', 'Fixture Quirks'),
    'ec',
    null,
    { isCA: true, notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - 10 * DAY) },
    now,
  );
  const underExpiredRoot = await issue(
    'under-expired-root-ca',
    cn('Fixture CA Under Expired Root', 'Fixture Quirks'),
    'ec',
    expiredRoot,
    ca,
    now,
  );
  const expiredRootLeaf = await leaf('expired-root', underExpiredRoot);

  const s = (
    name: string,
    host: string | null,
    who: Identity,
    sent: Identity[],
    problem: Problem,
    opensslCode: number,
    extraFields: Partial<Scenario> = {},
  ): Scenario => ({
    name,
    host,
    sent: [who.pem, ...sent.map((i) => i.pem)],
    keyPem: who.keyPem,
    problem,
    opensslCode,
    ...extraFields,
  });
  const scenarios: Record<string, Scenario> = {
    valid: s('valid', 'valid.example.com', valid, [publicIntermediate], 'ok', 0),
    incomplete: s('incomplete', 'incomplete.example.com', incomplete, [], 'incomplete-chain', 21),
    expired: s('expired', 'expired.example.com', expired, [publicIntermediate], 'expired', 10),
    notYetValid: s('not-yet-valid', 'not-yet-valid.example.com', notYetValid, [publicIntermediate], 'not-yet-valid', 9),
    selfSigned: s('self-signed', 'self-signed.example.com', selfSigned, [], 'self-signed', 18),
    unknownRoot: s('unknown-root', 'unknown-root.example.com', unknownLeaf, [unknownIntermediate], 'unknown-ca', 20),
    unknownRootSent: s(
      'unknown-root-sent',
      'unknown-root.example.com',
      unknownLeaf,
      [unknownIntermediate, unknownRoot],
      'unknown-ca',
      19,
    ),
    mismatch: s('hostname-mismatch', 'mismatch.example.com', mismatch, [publicIntermediate], 'hostname-mismatch', 0),
    // RFC 5246 7.4.2: each certificate certifies the one before it. Here: leaf, then intermediates reversed.
    wrongOrder: s(
      'wrong-order',
      'wrong-order.example.com',
      wrongOrder,
      [publicIntermediate, deepIntermediate],
      'wrong-order',
      0,
    ),
    extraCert: s('extra-cert', 'extra-cert.example.com', extra, [unrelated, publicIntermediate], 'ok', 0),
    corporate: s('corporate', 'intranet.corp', corporate, [corporateIntermediate], 'unknown-ca', 20),
    ipSan: s('ip-san', null, ipLeaf, [publicIntermediate], 'ok', 0),
    mtls: s('mtls', 'mtls.example.com', mtls, [publicIntermediate], 'client-cert-required', 0, {
      requestClientCert: true,
    }),
    // The intermediate that signed the deep one is missing; its AIA URL names it.
    missingMiddle: s('missing-middle', 'wrong-order.example.com', wrongOrder, [deepIntermediate], 'unknown-ca', 20),
    // The store holds the intermediate but not its root, and the server sends both.
    storeHasIntermediateOnly: s(
      'store-has-intermediate-only',
      'unknown-root.example.com',
      unknownLeaf,
      [unknownIntermediate, unknownRoot],
      'unknown-ca',
      2,
      { anchors: [unknownIntermediate.pem] },
    ),
    v1Root: s('v1-root', 'v1-root.example.com', v1Leaf, [], 'ok', 0, { anchors: [v1Root.pem] }),
    noBcCA: s('no-bc-ca', 'no-bc-ca.example.com', noBcLeaf, [noBcCA], 'unknown-ca', 79),
    clientAuthRoot: s('client-auth-root', 'client-auth-root.example.com', clientAuthLeaf, [], 'unknown-ca', 26, {
      anchors: [clientAuthRoot.pem],
    }),
    // Security levels: Node (level 1) refuses SHA-1 below the anchor and RSA-768; RSA-1024 only level 2 refuses.
    sha1: s('sha1', 'sha1.example.com', sha1Leaf, [publicIntermediate], 'weak-crypto', 68, { legacyServer: true }),
    weakKey: s('weak-key', 'weak-key.example.com', weakKeyLeaf, [publicIntermediate], 'weak-crypto', 66, {
      legacyServer: true,
    }),
    rsa1024: s('rsa-1024', 'rsa-1024.example.com', rsa1024Leaf, [publicIntermediate], 'weak-crypto', 0),
    expiredRoot: s('expired-root', 'expired-root.example.com', expiredRootLeaf, [underExpiredRoot], 'expired', 10, {
      anchors: [expiredRoot.pem],
    }),
  };

  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  const put = async (file: string, content: string | Buffer, mode = 0o644) => {
    const path = join(dir, file);
    await writeFile(path, content, { mode });
    files[file] = path;
  };
  const all = [
    publicRoot,
    publicIntermediate,
    deepIntermediate,
    corporateRoot,
    corporateIntermediate,
    unknownRoot,
    unknownIntermediate,
    unrelated,
    clientRoot,
    client,
    strangerClient,
  ];
  for (const id of all) {
    await put(`${id.name}.pem`, id.pem);
    await put(`${id.name}.der`, id.der);
  }
  await put('public-roots.pem', publicRoot.pem);
  await put('client-key.pem', client.keyPem, 0o600);
  await put('stranger-client-key.pem', strangerClient.keyPem, 0o600);
  await put('empty.pem', '');
  await put('not-a-certificate.pem', 'hello, I am not a certificate\n');
  for (const sc of Object.values(scenarios)) await put(`served-${sc.name}.pem`, sc.sent.join(''));

  return {
    dir,
    publicRoot,
    publicIntermediate,
    deepIntermediate,
    corporateRoot,
    corporateIntermediate,
    unknownRoot,
    unknownIntermediate,
    unrelated,
    clientRoot,
    client,
    strangerClient,
    scenarios,
    files,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node --import=tsx scripts/fixture-pki.ts DIR\n');
    process.exit(2);
  }
  const pki = await makeFixturePki(dir);
  process.stdout.write(`wrote ${Object.keys(pki.files).length} files to ${dir}\n`);
}
