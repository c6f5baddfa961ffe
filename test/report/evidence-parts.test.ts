// The pure parts of an evidence bundle: safe file names, the "them or us" conclusion, the MANIFEST.
import test from 'ava';
import { createHash } from 'node:crypto';
import { compareVerdicts, type ClientCheck } from '../../src/diagnose/comparison.js';
import { adminEmail } from '../../src/report/admin-email.js';
import { decideEvidence } from '../../src/report/evidence-outcome.js';
import { manifest } from '../../src/report/evidence-files.js';
import { evidenceReport } from '../../src/report/evidence-report.js';
import { chainFileStem, safeFileName, subjectLabel } from '../../src/report/file-names.js';
import type { HandshakeRecord } from '../../src/types.js';

test('file names from subjects cannot escape the bundle or upset an OS', (t) => {
  t.is(safeFileName('../../etc/passwd'), 'etc_passwd');
  t.is(safeFileName('*.example.com'), 'example.com');
  t.is(safeFileName('Zürich Bank CA'), 'Zu_rich_Bank_CA');
  t.is(safeFileName('CON'), '_CON');
  t.is(safeFileName('...'), 'unnamed');
  t.is(safeFileName('a'.repeat(200)).length, 64);
  t.is(subjectLabel("CN=R11,O=Let's Encrypt,C=US"), 'R11');
  t.is(subjectLabel('O=Acme\\, Inc.,C=US'), 'Acme, Inc.');
  t.is(chainFileStem(2, 'CN=Fixture Public CA 1,O=Fixture'), 'chain/2-Fixture_Public_CA_1');
});

test('MANIFEST is sha256sum format over every file', (t) => {
  const text = manifest([{ path: 'a.txt', content: 'hello\n' }]);
  t.is(text, `${createHash('sha256').update('hello\n').digest('hex')}  a.txt\n`);
});

function record(overrides: Partial<HandshakeRecord>): HandshakeRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: 'h',
    time: '2026-11-23T00:00:00.000Z',
    target: { host: 'api.example.com', port: 443, servername: 'api.example.com', address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: null, alpn: null },
    chain: [],
    trust: { public: 'ok', system: 'ok', extra: 'not-configured' },
    verification: { ok: true, code: null, opensslCode: 0, message: 'ok' },
    diagnosis: { problem: 'ok', liability: 'none', confidence: 'high', summary: 'fine', action: 'nothing' },
    chainAnalysis: {
      missingIssuer: null,
      fetched: null,
      extraCerts: 0,
      containsAnchor: false,
      inOrder: true,
      path: [0],
      anchor: null,
      anchorStore: null,
      aiaCaIssuers: [],
    },
    clientCertificate: { requested: false, acceptableCAs: [], presented: null },
    warnings: [],
    interception: { detected: false, product: null, reason: '', evidence: null },
    failure: null,
    timing: { connectMs: 1, handshakeMs: 1 },
    ...overrides,
  } as HandshakeRecord;
}

const expired = {
  chain: [{ subject: 'CN=api.example.com' } as unknown as HandshakeRecord['chain'][number]],
  verification: { ok: false, code: 'CERT_HAS_EXPIRED', opensslCode: 10, message: 'certificate has expired' },
  trust: { public: 'CERT_HAS_EXPIRED', system: 'CERT_HAS_EXPIRED', extra: 'not-configured' },
  diagnosis: {
    problem: 'expired' as const,
    liability: 'server' as const,
    confidence: 'high' as const,
    summary: 'expired',
    action: 'renew it',
  },
};
const curlRefused: ClientCheck = {
  client: 'curl',
  available: true,
  command: 'curl',
  exitCode: 60,
  accepted: false,
  error: 'curl: (60)',
};

test('them: the target fails, the sanity host verifies', (t) => {
  const result = compareVerdicts(
    record(expired),
    record({ target: { host: 'sanity', port: 443, servername: 'sanity', address: null } }),
    [curlRefused],
  );
  t.is(result.side, 'them');
  t.regex(
    result.conclusion,
    /^Their side: .* while the sanity host sanity:443 verifies; the fix is on the server: renew it/,
  );
  t.deepEqual(
    result.rows.map((r) => r.result),
    [
      'fails: CERT_HAS_EXPIRED',
      'fails: CERT_HAS_EXPIRED',
      'not configured',
      'verifies',
      'refused the certificate (exit 60: curl: (60))',
    ],
  );
});

test('us: the sanity host fails too', (t) => {
  const sanity = record({ ...expired, target: { host: 'sanity', port: 443, servername: 'sanity', address: null } });
  t.is(compareVerdicts(record(expired), sanity, []).side, 'us');
});

test('us: Mozilla verifies it, the OS store does not', (t) => {
  const result = compareVerdicts(
    record({
      ...expired,
      trust: { public: 'ok', system: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', extra: 'not-configured' },
    }),
    null,
    [],
  );
  t.is(result.side, 'us');
  t.regex(result.conclusion, /update the OS CA store/);
});

test('us: interception wins whatever the server sent', (t) => {
  const result = compareVerdicts(
    record({ interception: { detected: true, product: 'Zscaler', reason: 'issuer', evidence: null } }),
    null,
    [],
  );
  t.is(result.side, 'us');
  t.regex(result.conclusion, /re-signed on this network by Zscaler/);
});

test("a verifying chain that the machine's clients refuse is our side; with no refusals, nothing to fix", (t) => {
  t.is(compareVerdicts(record({}), null, [curlRefused]).side, 'us');
  t.is(compareVerdicts(record({}), null, [{ ...curlRefused, accepted: true, exitCode: 0, error: null }]).side, 'none');
  t.is(
    compareVerdicts(record({}), null, [
      { client: 'python3', available: false, command: '', exitCode: null, accepted: null, error: null },
    ]).rows[4]!.result,
    'not installed',
  );
});

const weak: Partial<HandshakeRecord> = {
  // Node (level 1) verifies it; this machine's OpenSSL store is not the cause.
  trust: { public: 'ok', system: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', extra: 'not-configured' },
  diagnosis: {
    problem: 'weak-crypto',
    liability: 'server',
    confidence: 'high',
    summary:
      'the certificate "CN=api.example.com" has a 1024-bit RSA key (80 security bits), too weak for this machine\'s OpenSSL clients (level 2: curl, Python)',
    action: 'the admin of api.example.com must replace the certificate',
  },
  weakCrypto: {
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
  },
};

test('weak-crypto is their side, whatever the OS store says, and the email asks for a reissue naming the refusing clients', (t) => {
  const result = compareVerdicts(record(weak), null, [curlRefused]);
  t.is(result.side, 'them');
  t.regex(
    result.conclusion,
    /^Their side: .*weak-crypto.*1024-bit RSA key.*The fix is on the server: the admin of api\.example\.com must replace/,
  );
  const email =
    adminEmail(record(weak), result, decideEvidence(record(weak), result), ['report.md', 'email.txt']) ?? '';
  t.regex(email, /administrator of api\.example\.com/);
  t.regex(email, /reissue the certificate served by api\.example\.com:443 with a 2048-bit RSA/);
  t.regex(
    email,
    /"CN=api\.example\.com" has a 1024-bit RSA key .*refused by this machine's OpenSSL clients \(level 2: curl, Python\) \("EE certificate key too weak"\)/,
  );
});

test("the public root set is named as it was: Mozilla's, or the --public-roots file that replaced them", (t) => {
  t.is(
    compareVerdicts(record({}), null, []).rows[0]!.check,
    "api.example.com:443 against Mozilla's roots (bundled in Node)",
  );
  const replaced = compareVerdicts(
    record({
      ...expired,
      trust: { public: 'ok', system: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', extra: 'not-configured' },
    }),
    null,
    [],
    { publicRoots: '/tmp/roots.pem' },
  );
  t.is(replaced.rows[0]!.check, 'api.example.com:443 against the public roots from /tmp/roots.pem (--public-roots)');
  t.notRegex(replaced.conclusion, /Mozilla/);
  t.regex(replaced.conclusion, /^Our side: the public roots from \/tmp\/roots\.pem \(--public-roots\) verify/);
});

const incomplete = (aia: string[]): Partial<HandshakeRecord> => ({
  chain: [
    {
      subject: 'CN=api.example.com',
      issuer: 'CN=Issuing CA',
      notBefore: '2026-01-01',
      notAfter: '2027-01-01',
      san: [] as string[],
      sha256: 'AB',
      pem: '',
    } as unknown as HandshakeRecord['chain'][number],
  ],
  verification: {
    ok: false,
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    opensslCode: 21,
    message: 'unable to verify the first certificate',
  },
  trust: {
    public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    system: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    extra: 'not-configured',
  },
  diagnosis: {
    problem: 'incomplete-chain',
    liability: 'server',
    confidence: 'medium',
    summary: 'the server did not send the intermediate',
    action: 'serve the full chain',
  },
  chainAnalysis: {
    missingIssuer: 'CN=Issuing CA',
    fetched: null,
    extraCerts: 0,
    containsAnchor: false,
    inOrder: true,
    path: [],
    anchor: null,
    anchorStore: null,
    aiaCaIssuers: aia,
  },
});

test('the email about a missing intermediate says browsers hide it only when the certificate names where to download it', (t) => {
  const email = (aia: string[]): string => {
    const r = record(incomplete(aia));
    const c = compareVerdicts(r, null, []);
    return adminEmail(r, c, decideEvidence(r, c), ['served-chain.pem', 'report.md', 'email.txt']) ?? '';
  };
  t.regex(email(['http://ca.example/i.der']), /Browsers often hide this problem/);
  t.regex(
    email(['http://ca.example/i.der']),
    /downloaded from the issuer URL in the certificate: http:\/\/ca\.example\/i\.der/,
  );
  t.notRegex(email([]), /Browsers often hide this problem/);
  t.regex(email([]), /names no URL to download the intermediate from \(no AIA caIssuers\), so browsers fail too/);
});

test('report.md counts agree with their number: "1 certificate not on the path"', (t) => {
  const report = (extraCerts: number): string => {
    const r = record({ ...incomplete([]), chainAnalysis: { ...record(incomplete([])).chainAnalysis, extraCerts } });
    const comparison = compareVerdicts(r, null, []);
    return evidenceReport({
      record: r,
      comparison,
      decision: decideEvidence(r, comparison),
      files: ['report.md'],
      chainFiles: ['chain/0-api'],
      toolVersion: '0',
      now: new Date('2026-12-01T00:00:00Z'),
    });
  };
  t.regex(report(1), /; 1 certificate not on the path;/);
  t.regex(report(2), /; 2 certificates not on the path;/);
});

test("Python's certifi lacking the root: its own row, and the conclusion says so (blamed only when a client refused)", (t) => {
  const warning = {
    code: 'certifi-lacks-root',
    clients: ['Python requests and httpx (certifi)'],
    message:
      "the public roots verify this chain but your Python's certifi 2020.12.05 (/venv/cacert.pem) does not (UNABLE_TO_GET_ISSUER_CERT_LOCALLY), so requests and httpx refuse it unless told to use another bundle; this certifi is older than the public roots: upgrade it: python3 -m pip install --upgrade certifi",
  };
  const lagging = record({
    chain: expired.chain,
    trust: { public: 'ok', system: 'ok', extra: 'not-configured', certifi: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    warnings: [warning],
  });
  const quiet = compareVerdicts(lagging, null, []);
  t.deepEqual(quiet.rows[3], {
    check: "api.example.com:443 against Python's certifi (requests' and httpx's default)",
    result: 'fails: UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  });
  t.is(quiet.side, 'none');
  t.regex(
    quiet.conclusion,
    /^No problem seen: .* But for Python: the public roots verify this chain but your Python's certifi .* upgrade it: python3 -m pip install --upgrade certifi\.$/,
  );
  const requestsRefused: ClientCheck = {
    client: 'requests',
    available: true,
    command: 'requests.get',
    exitCode: 1,
    accepted: false,
    error: 'CERTIFICATE_VERIFY_FAILED',
  };
  const refused = compareVerdicts(lagging, null, [requestsRefused]);
  t.is(refused.side, 'us');
  t.regex(refused.conclusion, /requests on this machine refuses it: .* Python: the public roots verify this chain/);
  // Records written before the certifi store have no row for it.
  t.is(compareVerdicts(record({}), null, []).rows.length, 4);
});

const constrained: Partial<HandshakeRecord> = {
  chain: [{ subject: 'CN=api.example.com', issuer: 'CN=Corp Root', san: ['DNS:api.example.com'] } as never],
  trust: { public: 'UNSPECIFIED', system: 'not-configured', extra: 'UNSPECIFIED' },
  verification: {
    ok: false,
    code: 'UNSPECIFIED',
    opensslCode: 47,
    message: 'permitted subtree violation',
    depth: 0,
    detail: 'a name of "CN=api.example.com" against the name constraints of "CN=Corp Root"',
  },
  diagnosis: {
    problem: 'name-constraints',
    liability: 'server',
    confidence: 'high',
    summary: 'the certificate for api.example.com carries a name outside the ones its issuing CA may issue for',
    action: 'the admin of api.example.com must get its certificate from a CA that is allowed to issue for it',
  },
};

test('name-constraints: the email asks the server for a certificate from a CA allowed to issue for the name; an inspection CA, for an exemption', (t) => {
  const result = compareVerdicts(record(constrained), null, []);
  t.is(result.side, 'them');
  const email = adminEmail(record(constrained), result, decideEvidence(record(constrained), result), []) ?? '';
  t.regex(email, /Verdict: name-constraints/);
  t.regex(
    email,
    /issued under a CA whose name constraints do not allow api\.example\.com \(permitted subtree violation: a name of "CN=api\.example\.com" against the name constraints of "CN=Corp Root"\).*Please replace it with a certificate from a CA that is allowed to issue for api\.example\.com/,
  );
  const intercepted = record({
    ...constrained,
    diagnosis: { ...constrained.diagnosis!, liability: 'network' },
    interception: { detected: true, product: 'Zscaler', reason: 'catalogue', evidence: null },
  });
  const viaProxy = compareVerdicts(intercepted, null, []);
  const asked = adminEmail(intercepted, viaProxy, decideEvidence(intercepted, viaProxy), []) ?? '';
  t.regex(
    asked,
    /Please exempt api\.example\.com:443 from TLS inspection in Zscaler, or allow api\.example\.com in the inspection CA's name constraints/,
  );
  t.notRegex(asked, /provide the inspection CA certificate/);
});

test("the email lists report.html with the bundle's files, when the bundle has it", (t) => {
  const r = record(constrained);
  const c = compareVerdicts(r, null, []);
  const files = ['served-chain.pem', 'report.md', 'report.html', 'email.txt', 'report.json', 'MANIFEST'];
  const email = adminEmail(r, c, decideEvidence(r, c), files) ?? '';
  t.regex(
    email,
    /The attached bundle holds the chain as served \(served-chain\.pem\), each certificate decoded \(chain\/\), a full report \(report\.md, report\.json\), the chain drawn as a page to open in a browser \(report\.html\) and SHA-256 checksums/,
  );
  const without =
    adminEmail(
      r,
      c,
      decideEvidence(r, c),
      files.filter((f) => f !== 'report.html'),
    ) ?? '';
  t.notRegex(without, /report\.html/);
});
