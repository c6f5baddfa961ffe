// The header (where the proxy listens, the lines to copy, the counters) and the host table's lines
// for a given width; pure.
import type { HostRow, HostTable } from './host-table.js';
import { cell, line, styled, type Line } from './text.js';
import { verdictOf } from './verdict.js';

export interface ProxyInfo {
  /** http://host:port */
  address: string;
  /** `mitm`, with passthrough patterns and --on-upstream-error when they matter. */
  mode: string;
  certsDir: string;
  caPath: string;
}

export function headerLines(info: ProxyInfo, table: HostTable, height: number, width = Infinity): Line[] {
  const summary = table.summary();
  const c = table.counters;
  const bar: Line = {
    ...line(styled(' tlswitness ', 'title'), ` ${info.address}  mode ${info.mode}  certs ${info.certsDir}`),
    inverse: true,
  };
  const count = (label: string, value: number, alarm: 'bad' | 'warn' | 'intercepted' | null = null) => [
    ` ${label} `,
    styled(String(value), value > 0 && alarm ? alarm : 'title'),
    ' ',
  ];
  const counters = line(
    ...count('hosts', summary.hosts),
    ...count('problems', summary.problems, 'bad'),
    ...count('intercepted', summary.intercepted, 'intercepted'),
    ...count('handshakes', c.handshakes),
    ...count('requests', c.requests),
    ...count('CA rejected', c.clientRejections, 'warn'),
    ...(table.dropped ? [styled(` (${table.dropped} oldest hosts dropped)`, 'dim')] : []),
  );
  if (height < 16) return [bar, counters];
  return [
    bar,
    // Alone on its line so it can be copied as is.
    line(`export HTTPS_PROXY=${info.address} HTTP_PROXY=${info.address}`),
    trustLine(info, width),
    counters,
  ];
}

export /** How to trust the CA; the curl alternative only where it fits whole (a cut path cannot be copied). */
function trustLine(info: ProxyInfo, width: number): Line {
  const env = `eval "$(tlswitness ca env --proxy ${info.address})"`;
  const curl = `curl --cacert ${info.caPath}`;
  if ('trust the CA: '.length + env.length + '  or  '.length + curl.length > width)
    return line(styled('trust the CA: ', 'dim'), env);
  return line(styled('trust the CA: ', 'dim'), env, styled('  or  ', 'dim'), curl);
}

interface Columns {
  host: number;
  verdict: number;
  tls: number;
  issuer: number;
  reqs: number;
  seen: number;
}

/**
 * Column widths for a terminal `width` wide: fixed columns, the rest split between host and issuer.
 * The host gets what its longest name needs (`longestHost`), as long as the issuer keeps
 * MIN_ISSUER: a cut host name is a row nobody can tell apart, a cut issuer CN still reads.
 */
export function columns(width: number, longestHost = 0): Columns {
  const verdict = width >= 100 ? 22 : 18;
  const fixed = 2 + verdict + 3 + 4 + 7 + 5;
  const flex = Math.max(24, width - fixed);
  // At 80 columns: at least 24 for the host, up to 33 (selfsigned.example.com:443 is 26).
  const host = Math.max(Math.ceil(flex * 0.58), Math.min(longestHost, flex - MIN_ISSUER));
  return { host, verdict, tls: 3, issuer: flex - host, reqs: 4, seen: 7 };
}

const MIN_ISSUER = 8;

export function columnHeader(w: Columns): Line {
  return line(
    styled(
      `  ${cell('HOST:PORT', w.host)} ${cell('VERDICT', w.verdict)} ${cell('TLS', w.tls)} ${cell('ISSUER', w.issuer)} ${cell('REQS', w.reqs, 'right')} ${cell('SEEN', w.seen, 'right')}`,
      'title',
    ),
  );
}

/** The CN of a distinguished name, else the whole name. */
export function shortName(dn: string): string {
  return /(?:^|,\s*)CN=((?:\\.|[^,])+)/.exec(dn)?.[1] ?? dn;
}

export function age(iso: string, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

function issuerText(row: HostRow): string {
  const record = row.record;
  if (!record) return '-';
  const leaf = record.chain[0];
  if (leaf) return shortName(leaf.issuer);
  return record.failure ? `${record.failure.step}: ${record.failure.code}` : '-';
}

export function rowLine(row: HostRow, w: Columns, selected: boolean, now: Date): Line {
  const verdict = verdictOf(row);
  const protocol = row.record?.tls.protocol?.replace(/^TLSv/, '') ?? '-';
  return {
    segments: [
      { text: `${selected ? '>' : ' '} ${cell(row.key, w.host)} ` },
      styled(cell(verdict.word, w.verdict), verdict.tone),
      {
        text: ` ${cell(protocol, w.tls)} ${cell(issuerText(row), w.issuer)} ${cell(String(row.requestCount), w.reqs, 'right')} ${cell(age(row.lastSeen, now), w.seen, 'right')}`,
      },
    ],
    inverse: selected,
  };
}
