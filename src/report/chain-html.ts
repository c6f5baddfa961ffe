// report.html: one self-contained page that draws a handshake's chain as sent beside the path each
// trust store built (anchor or gap), with the problem, whose fault, the action and "is it them or us".
// No scripts and nothing loaded from anywhere (a strict CSP says so to the browser); pure.
import { formatHostPort } from '../host-port.js';
import type { HandshakeRecord } from '../types.js';
import { certificateBox, ISSUED_BY, linkTo, pathBox, pathEndBox } from './chain-html-boxes.js';
import { CHAIN_HTML_STYLE } from './chain-html-style.js';
import { interceptionText } from './handshake-text.js';
import { esc } from './html-text.js';
import { storePaths, type StorePath } from './store-paths.js';

export interface ChainPageInput {
  record: HandshakeRecord;
  now: Date;
  /** "Is it them or us?" rows and conclusion (an evidence run's, or the record's own stores). */
  comparison?: { rows: Array<{ check: string; result: string }>; conclusion: string } | null;
  /** An evidence bundle's action, which may say more than the diagnosis alone (its clients refuse a chain that verifies). */
  verdict?: { action: string } | null;
  toolVersion?: string;
}

/** Nothing may load or run: the page is data from the network, opened from disk or a mail attachment. */
export const CHAIN_HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STORE_TEXT: Record<string, string> = {
  public: "Mozilla's roots (bundled in Node, or --public-roots)",
  system: "this machine's OS store",
  extra: "--extra-ca and the certs dir's extra/",
  certifi: "Python's certifi bundle (requests, httpx, pip)",
};

const FAULT_TEXT: Record<string, string> = {
  server: 'the server (their side)',
  client: 'this machine (our side)',
  network: 'the network (our side)',
  none: 'nobody: nothing to fix',
};

export function chainHtml({ record, now, comparison, verdict, toolVersion }: ChainPageInput): string {
  const where = formatHostPort(record.target);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CHAIN_HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // An empty icon: otherwise a browser asks the page's origin for /favicon.ico.
    '<link rel="icon" href="data:,">',
    `<title>TLS chain: ${esc(where)}</title>`,
    `<style>${CHAIN_HTML_STYLE}</style>`,
    '</head><body>',
    `<h1>TLS chain: ${esc(where)}</h1>`,
    `<p class="meta">${esc(connectionLine(record))}</p>`,
    summary(record, verdict ?? null),
    chainSection(record, now),
    comparison ? themOrUs(comparison) : '',
    `<footer>Recorded ${esc(record.time)}; drawn ${esc(now.toISOString())} by tlswitness${toolVersion ? ` ${esc(toolVersion)}` : ''}. Days left are counted from the time it was drawn. This page runs no script and loads nothing.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}

function connectionLine(record: HandshakeRecord): string {
  const t = record.target;
  const parts = [
    t.servername && t.servername !== t.host ? `servername ${t.servername}` : null,
    t.address ? `address ${t.address}` : null,
    record.via === 'direct' ? 'direct' : `${record.via} ${record.proxy ?? ''}`.trim(),
    record.tls.protocol ? `${record.tls.protocol}${record.tls.cipher ? `, ${record.tls.cipher}` : ''}` : null,
  ];
  return parts.filter((p): p is string => !!p).join(' · ');
}

function summary(record: HandshakeRecord, verdict: { action: string } | null): string {
  const d = record.diagnosis;
  const v = record.verification;
  const failed = d.problem !== 'ok' || record.interception.detected;
  const rows: Array<[string, string]> = [
    ['What happened', d.summary],
    [
      'Whose fault',
      record.interception.ownProxy
        ? "not measured: the chain came from tlswitness's own proxy"
        : (FAULT_TEXT[d.liability] ?? d.liability),
    ],
    ['Confidence', d.confidence],
    ['Action', verdict?.action ?? d.action],
  ];
  if (record.chain.length) {
    rows.push([
      'Verification',
      `${v.ok ? 'ok' : `failed: ${v.code ?? '?'}`} (OpenSSL ${v.opensslCode}: ${v.message})${v.detail ? `; ${v.detail}` : ''}`,
    ]);
    rows.push(['Interception', interceptionText(record.interception)]);
  }
  if (record.failure) rows.push(['Failed at', `${record.failure.step}: ${record.failure.message}`]);
  for (const r of record.weakCrypto?.refusedBy ?? []) rows.push(['Refused by', `${r.client}: ${r.message}`]);
  for (const w of record.warnings)
    rows.push(['Warning', `${w.message}${w.clients.length ? ` [${w.clients.join(', ')}]` : ''}`]);
  if (record.clientCertificate.requested) {
    rows.push([
      'Client certificate',
      `requested; accepted CAs: ${record.clientCertificate.acceptableCAs.join('; ') || '(any)'}; presented: ${record.clientCertificate.presented ?? 'none'}`,
    ]);
  }
  return [
    `<section class="summary${failed ? ' fail' : ''}" data-problem="${esc(d.problem)}">`,
    `<span class="problem">${esc(d.problem.toUpperCase())}</span>`,
    `<dl>${rows.map(([k, val]) => `<dt>${esc(k)}</dt><dd>${esc(val)}</dd>`).join('')}</dl>`,
    '</section>',
  ].join('');
}

function chainSection(record: HandshakeRecord, now: Date): string {
  if (!record.chain.length)
    return '<h2>The chain</h2><p>No certificate was received, so there is no chain to draw.</p>';
  const onPath = new Set(record.chainAnalysis.path);
  const judged = record.chainAnalysis.path.length > 0;
  const sent = record.chain
    .map((entry, i) => certificateBox(entry, i, now, !judged || onPath.has(i)))
    .join('<div class="link" aria-hidden="true">&#8595; sent next</div>');
  const a = record.chainAnalysis;
  const notes = [
    a.inOrder ? null : 'sent out of order',
    a.extraCerts ? `${a.extraCerts} not on the path` : null,
    a.containsAnchor ? 'root sent too' : null,
  ].filter((n): n is string => !!n);
  return [
    '<h2>The chain as sent, and the path each trust store built</h2>',
    '<div class="columns">',
    `<section class="column" data-column="sent"><h2>As sent (${record.chain.length})</h2><p>${esc(notes.join('; ') || 'in the order the server sent them, leaf first')}</p>${sent}</section>`,
    '<div class="stores">',
    ...storePaths(record).map((p) => storeColumn(record, p, now)),
    '</div></div>',
  ].join('');
}

function storeColumn(record: HandshakeRecord, p: StorePath, now: Date): string {
  const ok = p.verdict === 'ok';
  const verdict = ok ? 'verifies' : p.verdict === 'not-configured' ? 'not configured' : `fails: ${p.verdict}`;
  const steps = p.path.map((i) => pathBox(record.chain[i]!, i, now));
  const end = pathEndBox(p.end);
  const body =
    p.end.kind === 'not-configured' ? end : `${steps.join(ISSUED_BY)}${steps.length ? linkTo(p.end) : ''}${end}`;
  return [
    `<section class="column" data-column="store" data-store="${esc(p.store)}">`,
    `<h2>${esc(p.store)} <span class="verdict ${ok ? 'ok' : p.verdict === 'not-configured' ? '' : 'bad'}">${esc(verdict)}</span></h2>`,
    `<p>${esc(STORE_TEXT[p.store] ?? 'trust store')}</p>`,
    body,
    '</section>',
  ].join('');
}

function themOrUs(comparison: NonNullable<ChainPageInput['comparison']>): string {
  return [
    '<h2>Is it them or us?</h2>',
    '<table data-table="them-or-us"><thead><tr><th>check</th><th>result</th></tr></thead><tbody>',
    ...comparison.rows.map((row) => `<tr><td>${esc(row.check)}</td><td>${esc(row.result)}</td></tr>`),
    '</tbody></table>',
    `<p><strong>Conclusion:</strong> ${esc(comparison.conclusion)}</p>`,
  ].join('');
}
