// diagnose()'s weak-crypto branch on hand-made records: with the clients' judgement, without it, and beside other problems.
import test from 'ava';
import { diagnose, type UndiagnosedRecord } from '../../src/diagnose/diagnose.js';
import type { WeakCrypto } from '../../src/types.js';

function record(overrides: Partial<UndiagnosedRecord>): UndiagnosedRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: 'h',
    time: '2026-11-23T00:00:00.000Z',
    target: { host: 'api.example.com', port: 443, servername: 'api.example.com', address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: null, alpn: null },
    chain: [{ subject: 'CN=api.example.com', san: ['DNS:api.example.com'] } as UndiagnosedRecord['chain'][number]],
    trust: { public: 'ok', system: 'not-configured', extra: 'not-configured' },
    verification: { ok: true, code: null, opensslCode: 0, message: 'ok' },
    chainAnalysis: {
      missingIssuer: null,
      fetched: null,
      extraCerts: 0,
      containsAnchor: false,
      inOrder: true,
      path: [0],
      anchor: 'CN=Root',
      anchorStore: 'public',
      aiaCaIssuers: [],
    },
    clientCertificate: { requested: false, acceptableCAs: [], presented: null },
    warnings: [],
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure: null,
    timing: { connectMs: 1, handshakeMs: 1 },
    ...overrides,
  };
}

const rsa1024: WeakCrypto = {
  opensslLevel: 2,
  refusedBy: [
    {
      client: "this machine's OpenSSL clients (level 2: curl, Python)",
      level: 2,
      message: 'EE certificate key too weak',
      depth: 0,
    },
  ],
  findings: [
    {
      depth: 0,
      subject: 'CN=api.example.com',
      kind: 'key',
      text: 'a 1024-bit RSA key (80 security bits)',
      securityBits: 80,
      message: 'EE certificate key too weak',
    },
  ],
};

test('Node verifies it, a level-2 client refuses it: weak-crypto, the server to fix, Node named as accepting', (t) => {
  const d = diagnose(record({ weakCrypto: rsa1024 }));
  t.is(d.problem, 'weak-crypto');
  t.is(d.liability, 'server');
  t.is(
    d.summary,
    'the certificate "CN=api.example.com" has a 1024-bit RSA key (80 security bits), too weak for this machine\'s OpenSSL clients (level 2: curl, Python); Node (level 1) accepts it',
  );
  t.regex(d.action, /2048-bit RSA or P-256 key and a SHA-256 signature/);
  t.is(diagnose(record({ weakCrypto: null })).problem, 'ok');
});

test('weak-crypto comes before wrong-order; a hostname mismatch still wins (Node refuses that)', (t) => {
  t.is(
    diagnose(record({ weakCrypto: rsa1024, chainAnalysis: { ...record({}).chainAnalysis, inOrder: false } })).problem,
    'weak-crypto',
  );
  const mismatch = {
    ok: false,
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    opensslCode: 62,
    message: 'Hostname/IP does not match',
  };
  t.is(diagnose(record({ weakCrypto: rsa1024, verification: mismatch })).problem, 'hostname-mismatch');
});

test("Node's own 66/67/68 without the clients' judgement (an amended record): weak-crypto from Node's code and detail, never unknown-ca", (t) => {
  for (const [opensslCode, message] of [
    [66, 'EE certificate key too weak'],
    [67, 'CA certificate key too weak'],
    [68, 'CA signature digest algorithm too weak'],
  ] as const) {
    const d = diagnose(
      record({
        verification: {
          ok: false,
          code: 'UNSPECIFIED',
          opensslCode,
          message,
          detail: 'a sha1WithRSAEncryption signature is too weak',
          certificate: { subject: 'CN=api.example.com', notBefore: '', notAfter: '', from: 'server' },
        },
      }),
    );
    t.is(d.problem, 'weak-crypto');
    t.is(d.confidence, 'high');
    t.regex(
      d.summary,
      new RegExp(
        `Node \\(level 1\\) \\("${message}"\\) and by stricter clients such as Debian/Ubuntu/RHEL 9 OpenSSL clients \\(level 2`,
      ),
    );
  }
});

const missingIntermediate: Partial<UndiagnosedRecord> = {
  verification: {
    ok: false,
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    opensslCode: 21,
    message: 'unable to verify the first certificate',
  },
  trust: { public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', system: 'not-configured', extra: 'not-configured' },
};

test('a missing intermediate: browsers fetch it only when the leaf names a URL (AIA); without one they fail too', (t) => {
  const base = record({}).chainAnalysis;
  const withAia = diagnose(
    record({
      ...missingIntermediate,
      chainAnalysis: {
        ...base,
        missingIssuer: 'CN=Issuing CA',
        path: [],
        anchor: null,
        aiaCaIssuers: ['http://ca.example/issuing.der'],
      },
    }),
  );
  t.is(withAia.problem, 'incomplete-chain');
  t.regex(withAia.summary, /Browsers fetch it and work; Python, curl, Java and Go fail$/);
  const noAia = diagnose(
    record({
      ...missingIntermediate,
      chainAnalysis: { ...base, missingIssuer: 'CN=Issuing CA', path: [], anchor: null, aiaCaIssuers: [] },
    }),
  );
  t.is(noAia.problem, 'incomplete-chain');
  t.notRegex(noAia.summary, /Browsers fetch it and work/);
  t.regex(
    noAia.summary,
    /names no URL to fetch it from \(no AIA\), so browsers fail too unless they cached it; Python, curl, Java and Go fail$/,
  );
});

const violation = (opensslCode: 47 | 48, message: string): Partial<UndiagnosedRecord> => ({
  trust: { public: 'UNSPECIFIED', system: 'not-configured', extra: 'not-configured' },
  verification: {
    ok: false,
    code: 'UNSPECIFIED',
    opensslCode,
    message,
    depth: 0,
    detail: 'a name of "CN=api.example.com" against the name constraints of "CN=Corp Inspection Root"',
  },
});

test('a name-constraint violation (47, 48) is name-constraints: the CA was not allowed to issue for the name, trusting it does not help', (t) => {
  for (const [code, message, rule] of [
    [47, 'permitted subtree violation', /a name outside the ones its issuing CA may issue for/],
    [48, 'excluded subtree violation', /a name that its issuing CA is expressly forbidden to issue for/],
  ] as const) {
    const d = diagnose(record(violation(code, message)));
    t.is(d.problem, 'name-constraints');
    t.is(d.liability, 'server');
    t.is(d.confidence, 'high');
    t.regex(d.summary, rule);
    t.regex(
      d.summary,
      new RegExp(
        `OpenSSL ${code}: ${message}; a name of "CN=api.example.com" against the name constraints of "CN=Corp Inspection Root"`,
      ),
    );
    t.regex(d.action, /a CA that is allowed to issue for api\.example\.com .*trusting the restricted CA does not help/);
  }
});

test('an inspection CA re-signing a name outside its constraints: name-constraints, the network to fix, and no advice to trust the CA', (t) => {
  const d = diagnose(
    record({
      ...violation(47, 'permitted subtree violation'),
      interception: { detected: true, product: 'Zscaler', reason: 'catalogue', evidence: null },
    }),
  );
  t.is(d.problem, 'name-constraints');
  t.is(d.liability, 'network');
  t.regex(d.summary, /restricted by name constraints that do not allow api\.example\.com/);
  t.regex(d.action, /exempt api\.example\.com from TLS inspection/);
  t.notRegex(d.action, /--extra-ca/);
});
