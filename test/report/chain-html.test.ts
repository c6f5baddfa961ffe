// The chain page from records built by hand: escaping of hostile names, the gap, days left at a given now, no scripts.
import test from 'ava';
import { CHAIN_HTML_CSP, chainHtml } from '../../src/report/chain-html.js';
import type { ChainEntry, HandshakeRecord } from '../../src/types.js';

const NOW = new Date('2026-12-01T00:00:00.000Z');

function entry(subject: string, issuer: string, overrides: Partial<ChainEntry> = {}): ChainEntry {
  return {
    subject,
    issuer,
    serialNumber: '01',
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    san: [],
    sha256: 'AB:CD',
    sha1: '12:34',
    spkiSha256: 'x',
    isCA: false,
    selfSigned: false,
    keyType: 'EC',
    keyBits: 256,
    aia: { caIssuers: [], ocsp: [] },
    basicConstraints: { present: false, critical: false, ca: false, pathLen: null },
    keyUsage: null,
    extKeyUsage: null,
    subjectKeyId: null,
    authorityKeyId: null,
    signatureAlgorithm: 'ecdsa-with-SHA256',
    pem: '',
    ...overrides,
  };
}

function record(overrides: Partial<HandshakeRecord> = {}): HandshakeRecord {
  return {
    type: 'handshake',
    schemaVersion: '1.0',
    id: 'h',
    time: '2026-11-30T00:00:00.000Z',
    target: { host: 'api.example.com', port: 443, servername: 'api.example.com', address: '127.0.0.1' },
    via: 'direct',
    proxy: null,
    tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: null },
    chain: [
      entry('CN=api.example.com', 'CN=Issuing CA 1', {
        aia: { caIssuers: ['http://ca.example/issuing.der'], ocsp: [] },
      }),
    ],
    trust: {
      public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      system: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      extra: 'not-configured',
    },
    verification: {
      ok: false,
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      opensslCode: 21,
      message: 'unable to verify the first certificate',
    },
    diagnosis: {
      problem: 'incomplete-chain',
      liability: 'server',
      confidence: 'high',
      summary: 'the server did not send its intermediate',
      action: 'configure the full chain',
    },
    chainAnalysis: {
      missingIssuer: 'CN=Issuing CA 1',
      fetched: null,
      extraCerts: 0,
      containsAnchor: false,
      inOrder: true,
      path: [0],
      anchor: null,
      anchorStore: null,
      aiaCaIssuers: ['http://ca.example/issuing.der'],
    },
    clientCertificate: { requested: false, acceptableCAs: [], presented: null },
    warnings: [],
    interception: { detected: false, product: null, reason: 'public root', evidence: null },
    failure: null,
    timing: { connectMs: 1, handshakeMs: 1 },
    ...overrides,
  };
}

/** The page's tags, attributes and text outside <style>. */
const body = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, '');

test('an incomplete chain: the leaf box, then a dashed gap per store naming the missing intermediate and its AIA URL', (t) => {
  const html = chainHtml({ record: record(), now: NOW });
  t.is((html.match(/data-box="cert"/g) ?? []).length, 1);
  const gaps =
    html.match(
      /<div class="gap" data-box="gap">.*?<\/div><p>AIA caIssuers: <code>http:\/\/ca\.example\/issuing\.der<\/code><\/p><\/div>/g,
    ) ?? [];
  t.is(gaps.length, 2, 'public and system each stop at the gap');
  t.regex(gaps[0]!, /missing intermediate: the server did not send it.*CN=Issuing CA 1/);
  t.regex(html, /data-store="extra".*not configured/);
  t.regex(html, /\.gap \{ border: 2px dashed/);
  t.notRegex(html, /data-box="anchor"/);
  t.regex(
    html,
    /INCOMPLETE-CHAIN.*Whose fault<\/dt><dd>the server \(their side\).*Confidence<\/dt><dd>high.*Action<\/dt><dd>configure the full chain/s,
  );
});

test('a verified chain ends in the anchor its store holds; any store name the record has gets a column', (t) => {
  const chain = [
    entry('CN=api.example.com', 'CN=Issuing CA 1'),
    entry('CN=Issuing CA 1', 'CN=Root R1', { isCA: true }),
  ];
  const trust = {
    public: 'ok',
    system: 'ok',
    extra: 'not-configured',
    certifi: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  } as HandshakeRecord['trust'];
  const html = chainHtml({
    record: record({
      chain,
      trust,
      verification: { ok: true, code: null, opensslCode: 0, message: 'ok' },
      diagnosis: { problem: 'ok', liability: 'none', confidence: 'high', summary: 'fine', action: 'nothing' },
      chainAnalysis: {
        ...record().chainAnalysis,
        missingIssuer: null,
        path: [0, 1],
        anchor: 'CN=Root R1',
        anchorStore: 'public',
        aiaCaIssuers: [],
      },
    }),
    now: NOW,
  });
  t.regex(html, /data-store="public".*trust anchor, from the public store<\/span><div>CN=Root R1/);
  t.regex(html, /data-store="system".*trust anchor in the system store<\/span><div>CN=Root R1/);
  t.regex(
    html,
    /data-store="certifi".*fails: UNABLE_TO_GET_ISSUER_CERT_LOCALLY.*no anchor: the issuer is not in this store<\/span><div>CN=Root R1/,
  );
  t.is((html.match(/data-box="cert"/g) ?? []).length, 2);
  t.is((html.match(/data-box="anchor"/g) ?? []).length, 2);
});

test('days left and the validity bar come from the now given', (t) => {
  const at = (now: string) => chainHtml({ record: record(), now: new Date(now) });
  t.regex(at('2026-12-01T00:00:00.000Z'), /<strong>31 days left<\/strong>/);
  t.regex(at('2026-12-21T00:00:00.000Z'), /data-validity="ending".*<strong>11 days left<\/strong>/);
  t.regex(at('2027-01-11T00:00:00.000Z'), /data-validity="expired".*<strong>expired 10 days ago<\/strong>/);
  t.regex(at('2025-12-01T00:00:00.000Z'), /data-validity="not-yet-valid".*<span style="width:0\.0%">/);
  t.regex(at('2026-07-02T12:00:00.000Z'), /<span style="width:50\.0%">/);
});

test('hostile names from the network stay text: no tag, no attribute break-out, no raw control', (t) => {
  const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'\x1b[2J\u202e\x00`;
  const chain = [
    entry(`CN=${hostile}`, `CN=${hostile}`, {
      san: [`DNS:${hostile}`],
      keyType: hostile,
      sha256: hostile,
      aia: { caIssuers: [`javascript:${hostile}`], ocsp: [] },
    }),
  ];
  const rec = record({
    target: { host: hostile, port: 443, servername: hostile, address: null },
    chain,
    diagnosis: {
      problem: 'incomplete-chain',
      liability: 'server',
      confidence: 'high',
      summary: hostile,
      action: hostile,
    },
    chainAnalysis: { ...record().chainAnalysis, missingIssuer: hostile, aiaCaIssuers: [`javascript:${hostile}`] },
    trust: {
      public: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      system: hostile,
      extra: 'not-configured',
      [hostile]: 'ok',
    } as HandshakeRecord['trust'],
    warnings: [{ code: 'x', clients: [hostile], message: hostile }],
  });
  const html = body(
    chainHtml({
      record: rec,
      now: NOW,
      comparison: { rows: [{ check: hostile, result: hostile }], conclusion: hostile },
      verdict: { action: hostile },
    }),
  );
  t.notRegex(
    html.replace('<link rel="icon" href="data:,">', ''),
    /<script|<img|<a |onerror=alert\(2\)>|href=|javascript:[^&]*</i,
  );
  t.regex(html, /AIA caIssuers: <code>javascript:&lt;script&gt;/, 'the URL is shown as text, never a link');
  t.notRegex(html, /[\x00-\x08\x0b-\x1f\x7f\u202e]/);
  t.regex(
    html,
    /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;&#39;\\x1b\[2J\\u202e\\x00/,
  );
  // Every attribute value is one quoted token: no quote from the data closes one early.
  for (const tag of html.match(/<[a-z][^>]*>/g) ?? []) t.regex(tag, /^<[a-z0-9]+(?: [a-z-]+(?:="[^"<>]*")?)*>$/, tag);
});

test('the page is self-contained: a strict CSP first, no script, nothing loaded from anywhere', (t) => {
  const html = chainHtml({ record: record(), now: NOW });
  t.is(CHAIN_HTML_CSP.split('; ')[0], "default-src 'none'");
  t.true(html.indexOf(`content="${CHAIN_HTML_CSP}"`) < html.indexOf('<style>'));
  t.notRegex(html, /<script|src=|url\(|@import|https?:\/\/(?!ca\.example)/i);
  t.regex(html, /<link rel="icon" href="data:,">/);
});

test('no certificate: the page says so and still shows the failure and the action', (t) => {
  const html = chainHtml({
    record: record({
      chain: [],
      trust: { public: 'no-certificate', system: 'no-certificate', extra: 'not-configured' },
      failure: { step: 'connect', code: 'ECONNREFUSED', message: 'connection refused' },
      diagnosis: {
        problem: 'connection-failed',
        liability: 'network',
        confidence: 'high',
        summary: 'refused',
        action: 'check the port',
      },
    }),
    now: NOW,
  });
  t.regex(html, /No certificate was received/);
  t.regex(html, /Failed at<\/dt><dd>connect: connection refused/);
  t.notRegex(html, /data-box=/);
});
