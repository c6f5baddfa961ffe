// The details pane for one host: verdict, diagnosis and action first (what to do), then TLS, each
// store's verdict, interception, the chain as sent, and the recent requests; wrapped to a width; pure.
import { trustLine, validity } from '../report/handshake-text.js';
import type { HostRow } from './host-table.js';
import { line, styled, wrap, type Line, type Style } from './text.js';
import { verdictOf } from './verdict.js';

const INDENT = '   ';

function block(text: string, width: number, style?: Style, indent = INDENT): Line[] {
  return wrap(text, width, indent).map((part) => line(styled(part, style)));
}

function requestLines(row: HostRow, width: number): Line[] {
  if (!row.requestCount) return [line(styled('No requests yet.', 'dim'))];
  const shown = row.requests.length;
  const out = [
    line(
      styled(
        `Requests (${shown === row.requestCount ? shown : `last ${shown} of ${row.requestCount}`}), newest first:`,
        'title',
      ),
    ),
  ];
  for (const request of [...row.requests].reverse()) {
    const status = request.status === null ? '-' : String(request.status);
    const tone: Style =
      request.blocked || (request.status ?? 500) >= 500 ? 'bad' : (request.status ?? 0) >= 400 ? 'warn' : 'ok';
    const tail = `${request.ms} ms`;
    const head = ` ${request.time.slice(11, 19)} ${request.method.padEnd(6)} `;
    const statusText = `${status}${request.blocked ? ` BLOCKED (${request.blocked})` : ''}`;
    const room = Math.max(8, width - head.length - statusText.length - tail.length - 3);
    const path = request.path.length > room ? `${request.path.slice(0, room - 1)}…` : request.path;
    out.push(line(head, `${path} `, styled(statusText, tone), ` ${tail}`));
  }
  return out;
}

export function detailLines(row: HostRow, width: number, now: Date): Line[] {
  const verdict = verdictOf(row);
  const record = row.record;
  const d = record?.diagnosis;
  return [
    line(
      styled(row.key, 'title'),
      '  ',
      styled(verdict.word, verdict.tone),
      d ? `  (fault: ${d.liability}, confidence: ${d.confidence})` : '',
    ),
    ...(record
      ? recordLines(record, width)
      : block(
          row.scheme === 'http' ? 'Plain HTTP: no TLS handshake to judge.' : 'No handshake recorded for this host yet.',
          width,
          'dim',
        )),
    ...rejectionLines(row, width),
    ...(record?.chain.length ? chainLines(record, width, now) : []),
    ...requestLines(row, width),
  ];
}

type Recorded = NonNullable<HostRow['record']>;

/** What was recorded for the host: diagnosis and action, TLS, trust, interception, client certificate, warnings. */
function recordLines(record: Recorded, width: number): Line[] {
  const out: Line[] = [];
  out.push(...block(record.diagnosis.summary, width));
  out.push(...block(`Action: ${record.diagnosis.action}`, width, 'title'));
  if (record.failure) out.push(...block(`Failed at ${record.failure.step}: ${record.failure.message}`, width, 'bad'));
  if (record.tls.protocol) {
    const via =
      record.via === 'direct'
        ? `direct${record.target.address ? ` to ${record.target.address}` : ''}`
        : `${record.via} ${record.proxy ?? ''}`;
    out.push(
      ...block(
        `TLS: ${record.tls.protocol} ${record.tls.cipher ?? '?'}${record.tls.alpn ? `, ALPN ${record.tls.alpn}` : ''}; ${via}; handshake ${record.timing.handshakeMs ?? '?'} ms`,
        width,
      ),
    );
  }
  if (record.chain.length) out.push(...block(trustLine(record), width));
  out.push(...interceptionLines(record.interception, width));
  if (record.clientCertificate.requested) {
    const cas = record.clientCertificate.acceptableCAs;
    out.push(
      ...block(
        `Client certificate requested; accepted CAs: ${cas.length ? cas.join('; ') : '(any)'}; presented: ${record.clientCertificate.presented ?? 'none'}`,
        width,
      ),
    );
  }
  for (const warning of record.warnings)
    out.push(
      ...block(
        `Warning: ${warning.message}${warning.clients.length ? ` [${warning.clients.join(', ')}]` : ''}`,
        width,
        'warn',
      ),
    );
  return out;
}

function interceptionLines(i: Recorded['interception'], width: number): Line[] {
  const said = i.detected
    ? `DETECTED${i.product ? ` (${i.product})` : ''}: ${i.reason}`
    : i.possible
      ? `POSSIBLE, ${i.confidence ?? 'low'} confidence: ${i.reason.replace(/^possible: /, '')}`
      : i.ownProxy
        ? `not judged: ${i.reason}`
        : `none seen (${i.reason})`;
  return block(
    `Interception: ${said}`,
    width,
    i.detected ? 'intercepted' : i.possible || i.ownProxy ? 'warn' : undefined,
  );
}

/** The app behind the proxy refused the proxy's certificate: what was seen and what to do. */
function rejectionLines(row: HostRow, width: number): Line[] {
  if (!row.rejection) return [];
  const r = row.rejection;
  return [
    ...block(
      `The app refused the proxy's certificate (${row.rejections}x; confidence ${r.confidence}): ${r.reason}`,
      width,
      'warn',
    ),
    ...block(`Action: ${r.action}`, width, 'title'),
  ];
}

function chainLines(record: Recorded, width: number, now: Date): Line[] {
  const out = [line(styled(`Chain as sent (${record.chain.length}):`, 'title'))];
  const onPath = new Set(record.chainAnalysis.path);
  record.chain.forEach((entry, index) => {
    const stray = record.chainAnalysis.path.length && !onPath.has(index) ? '  [not on the path]' : '';
    out.push(...block(` ${index} s: ${entry.subject}${stray}`, width));
    out.push(...block(`   i: ${entry.issuer}`, width));
    const valid = validity(entry, now);
    out.push(...block(`   valid: ${valid}`, width, /EXPIRED|NOT YET/.test(valid) ? 'bad' : undefined));
    if (entry.san.length) out.push(...block(`   SAN: ${entry.san.join(', ')}`, width, undefined, '        '));
    out.push(...block(`   SHA-256: ${entry.sha256}`, width, undefined, '            '));
  });
  return out;
}
