// The bench's markdown: metrics as rows, contenders as columns (medians, with the ratio to
// `direct`), this build against the --ref-cli build, the `inspect` table, and the issue's targets
// checked against this run; pure.
import { LABELS, type ContenderName } from './contenders.js';
import { INSPECT_LABELS, type InspectName } from './inspect.js';
import { median } from './stats.js';

export const METRICS = {
  kaRps: { label: 'keep-alive: requests/s', decimals: 0 },
  kaP50: { label: 'keep-alive: latency p50 (ms)', decimals: 2 },
  kaP99: { label: 'keep-alive: latency p99 (ms)', decimals: 2 },
  kaProxyCpu: { label: 'keep-alive: proxy CPU per request (µs)', decimals: 0 },
  kaProxyCpuVsRef: {
    label: 'keep-alive: proxy CPU per request, ÷ the --ref-cli build run beside it',
    decimals: 3,
    ratio: false,
  },
  kaLoadCpu: { label: 'keep-alive: load generator CPU per request (µs)', decimals: 0 },
  h2Rps: { label: 'h2 keep-alive: requests/s', decimals: 0 },
  h2P50: { label: 'h2 keep-alive: latency p50 (ms)', decimals: 2 },
  h2P99: { label: 'h2 keep-alive: latency p99 (ms)', decimals: 2 },
  h2ProxyCpu: { label: 'h2 keep-alive: proxy CPU per request (µs)', decimals: 0 },
  h2LoadCpu: { label: 'h2 keep-alive: load generator CPU per request (µs)', decimals: 0 },
  coldRate: { label: 'new host, cold: connections/s', decimals: 1 },
  coldFirstByte: { label: 'new host, cold: first byte p50 (ms)', decimals: 2 },
  warmRate: { label: 'new host, warm: connections/s', decimals: 1 },
  warmFirstByte: { label: 'new host, warm: first byte p50 (ms)', decimals: 2 },
  newHostPenalty: { label: 'new host: cold − warm first byte (ms)', decimals: 2, ratio: false },
  freshNewFirstByte: { label: 'origin closing each connection: new host, first byte p50 (ms)', decimals: 2 },
  freshKnownFirstByte: { label: 'origin closing each connection: known host, first byte p50 (ms)', decimals: 2 },
  freshPenalty: {
    label: 'origin closing each connection: new − known host first byte (ms)',
    decimals: 2,
    ratio: false,
  },
  coldProxyCpu: { label: 'new host, cold: proxy CPU per connection (ms)', decimals: 2 },
  warmProxyCpu: { label: 'new host, warm: proxy CPU per connection (ms)', decimals: 2 },
  farNewFirstByte: { label: 'delayed link: new host, first byte p50 (RTTs)', decimals: 2 },
  farKnownFirstByte: { label: 'delayed link: known host, first byte p50 (RTTs)', decimals: 2 },
  farNewOverDirect: { label: "delayed link: new host, RTTs above direct's first byte", decimals: 2, ratio: false },
  bulkMBps: { label: 'bulk: MB/s', decimals: 0 },
  bulkProxyCpu: { label: 'bulk: proxy CPU per MB (ms)', decimals: 2 },
  bulkLoadCpu: { label: 'bulk: load generator CPU per MB (ms)', decimals: 2 },
  bulkMBpsVsRef: { label: 'bulk: MB/s, ÷ the --ref-cli build run beside it', decimals: 3, ratio: false },
  bulkProxyCpuVsRef: {
    label: 'bulk: proxy CPU per MB, ÷ the --ref-cli build run beside it',
    decimals: 3,
    ratio: false,
  },
  rssStart: { label: 'RSS idle after start (MB)', decimals: 1 },
  rssIdle: { label: 'RSS holding the idle connections (MB)', decimals: 1 },
  idleAlive: { label: 'idle connections still open when measured', decimals: 0, ratio: false },
  startMs: { label: 'start to listening (ms)', decimals: 0 },
} as const;

export type MetricKey = keyof typeof METRICS;

export class Samples {
  private readonly values = new Map<string, number[]>();

  add(metric: MetricKey, contender: ContenderName, value: number): void {
    const key = `${metric}/${contender}`;
    if (!this.values.has(key)) this.values.set(key, []);
    this.values.get(key)!.push(value);
  }

  /** The latest sample (NaN when none). */
  last(metric: MetricKey, contender: ContenderName): number {
    return this.values.get(`${metric}/${contender}`)?.at(-1) ?? Number.NaN;
  }

  /** Every sample by "metric/contender", in the order taken. */
  all(): Record<string, number[]> {
    return Object.fromEntries(this.values);
  }

  median(metric: MetricKey, contender: ContenderName): number {
    return median(this.values.get(`${metric}/${contender}`) ?? []);
  }
}

export interface RunInfo {
  date: string;
  cores: number;
  cpuModel: string;
  node: string;
  loadBefore: number[];
  loadAfter: number[];
  options: string;
  /** The delayed link's round-trip time, in ms. */
  rttMs: number;
  /** Idle connections held for the RSS row (the target is for 1,000). */
  idle: number;
  loadGeneratorCpuS: number;
  loadGeneratorWallS: number;
  wallS: number;
}

export interface Report {
  info: RunInfo;
  contenders: ContenderName[];
  samples: Samples;
  inspect: Partial<Record<InspectName, number[]>>;
  notes: string[];
}

function format(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : '—';
}

function ratio(value: number, base: number): string {
  return Number.isFinite(value) && Number.isFinite(base) && base !== 0 ? ` (${(value / base).toFixed(2)}x)` : '';
}

export function proxyTable(report: Report): string[] {
  const { contenders, samples } = report;
  const lines = [
    `| metric | ${contenders.map((c) => LABELS[c]).join(' | ')} |`,
    `|---|${contenders.map(() => '---:').join('|')}|`,
  ];
  for (const [key, metric] of Object.entries(METRICS) as [MetricKey, (typeof METRICS)[MetricKey]][]) {
    const label = key === 'rssIdle' ? `RSS holding ${report.info.idle} idle connections (MB)` : metric.label;
    // A phase left out (--phases) leaves its rows empty: not shown.
    if (contenders.every((c) => !Number.isFinite(samples.median(key, c)))) continue;
    const direct = contenders.includes('direct') ? samples.median(key, 'direct') : Number.NaN;
    const cells = contenders.map((c) => {
      const value = samples.median(key, c);
      return `${format(value, metric.decimals)}${c === 'direct' || ('ratio' in metric && !metric.ratio) ? '' : ratio(value, direct)}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return lines;
}

/** Rates: the rows where more is better (everything else is a time, a cost or a size). */
const MORE_IS_BETTER: readonly MetricKey[] = ['kaRps', 'h2Rps', 'coldRate', 'warmRate', 'bulkMBps'];

/**
 * This build's MITM beside the --ref-cli build's, metric by metric (medians, then their ratio), with
 * `inspect`: a before/after table of every phase. Empty without --ref-cli.
 */
export function refTable(report: Report): string[] {
  const { contenders, samples } = report;
  if (!contenders.includes('mitm') || !contenders.includes('mitm-ref')) return [];
  const lines = [
    `| metric | ${LABELS['mitm-ref']} | ${LABELS.mitm} | this build ÷ the --ref-cli build |`,
    '|---|---:|---:|---:|',
  ];
  const row = (label: string, before: number, after: number, decimals: number) => {
    if (Number.isFinite(before) && Number.isFinite(after))
      lines.push(
        `| ${label} | ${format(before, decimals)} | ${format(after, decimals)} | ${before === 0 ? '—' : `${(after / before).toFixed(2)}x`} |`,
      );
  };
  for (const [key, metric] of Object.entries(METRICS) as [MetricKey, (typeof METRICS)[MetricKey]][]) {
    // Counts and the paired ratios (already this build ÷ the reference) have no pair to divide.
    if (key === 'idleAlive' || key.endsWith('VsRef')) continue;
    const label = key === 'rssIdle' ? `RSS holding ${report.info.idle} idle connections (MB)` : metric.label;
    const better = MORE_IS_BETTER.includes(key) ? 'higher' : 'lower';
    row(`${label}, ${better} is better`, samples.median(key, 'mitm-ref'), samples.median(key, 'mitm'), metric.decimals);
  }
  row(
    '`inspect` wall time (ms), lower is better',
    median(report.inspect.ref ?? []),
    median(report.inspect.inspect ?? []),
    1,
  );
  return lines;
}

export function inspectTable(report: Report): string[] {
  const floor = median(report.inspect.node ?? []);
  const lines = ['| contender | wall time, median (ms) | ratio to bare Node |', '|---|---:|---:|'];
  for (const [name, values] of Object.entries(report.inspect) as [InspectName, number[]][]) {
    const value = median(values);
    lines.push(
      `| ${INSPECT_LABELS[name]} | ${format(value, 1)} | ${Number.isFinite(value / floor) ? `${(value / floor).toFixed(2)}x` : '—'} |`,
    );
  }
  return lines;
}

interface Target {
  text: string;
  value: number;
  shown: string;
  met: (value: number) => boolean;
  /** Why this run cannot judge it, when its sizes differ from the target's. */
  unjudged?: string | false;
}

export function targets(report: Report): string[] {
  const m = (key: MetricKey, c: ContenderName) => report.samples.median(key, c);
  const over = (a: number, b: number) => a / b;
  const list: Target[] = [
    {
      text: 'MITM keep-alive req/s ≥ 5x mitmdump',
      value: over(m('kaRps', 'mitm'), m('kaRps', 'mitmproxy')),
      shown: 'x',
      met: (v) => v >= 5,
    },
    { text: 'MITM proxy CPU ≤ 250 µs per request', value: m('kaProxyCpu', 'mitm'), shown: ' µs', met: (v) => v <= 250 },
    {
      text: 'tunnel keep-alive req/s ≥ 0.9x tinyproxy',
      value: over(m('kaRps', 'tunnel'), m('kaRps', 'tinyproxy')),
      shown: 'x',
      met: (v) => v >= 0.9,
    },
    {
      text: 'tunnel bulk MB/s ≥ 0.9x tinyproxy',
      value: over(m('bulkMBps', 'tunnel'), m('bulkMBps', 'tinyproxy')),
      shown: 'x',
      met: (v) => v >= 0.9,
    },
    {
      text: 'MITM bulk MB/s ≥ 2x mitmdump',
      value: over(m('bulkMBps', 'mitm'), m('bulkMBps', 'mitmproxy')),
      shown: 'x',
      met: (v) => v >= 2,
      // Paired, this build's download shared the load generator with the reference's; mitmdump's did not.
      unjudged:
        Number.isFinite(m('bulkMBpsVsRef', 'mitm')) &&
        'not judged: downloaded beside the --ref-cli build (run without it, or with --no-pair)',
    },
    {
      // Against a known host that also needs a fresh upstream connection: cold − warm also holds the
      // upstream handshake that a warm host's pooled connection saves, which no proxy can save a new host.
      text: "MITM: a new host's first byte ≤ 2 ms above a known host's, each on a fresh upstream connection",
      value: m('freshPenalty', 'mitm'),
      shown: ' ms',
      met: (v) => v <= 2,
    },
    {
      text: "MITM: a new host's first byte within 1 RTT of a direct connection's (delayed link)",
      value: m('farNewOverDirect', 'mitm'),
      shown: ' RTT',
      met: (v) => v <= 1,
    },
    {
      text: 'MITM RSS with 1,000 idle connections ≤ 120 MB',
      value: m('rssIdle', 'mitm'),
      shown: ' MB',
      met: (v) => v <= 120,
      unjudged: report.info.idle !== 1000 && `not judged: ${report.info.idle} idle connections`,
    },
    { text: 'MITM RSS idle after start ≤ 60 MB', value: m('rssStart', 'mitm'), shown: ' MB', met: (v) => v <= 60 },
    { text: 'MITM start to listening ≤ 150 ms', value: m('startMs', 'mitm'), shown: ' ms', met: (v) => v <= 150 },
    {
      text: '`inspect` ≤ 1.3x a bare Node tls.connect script',
      value: over(median(report.inspect.inspect ?? []), median(report.inspect.node ?? [])),
      shown: 'x',
      met: (v) => v <= 1.3,
    },
  ];
  const lines = ['| target | this run | met |', '|---|---:|---|'];
  for (const target of list) {
    const known = Number.isFinite(target.value);
    const verdict = !known
      ? 'not measured'
      : target.unjudged
        ? target.unjudged
        : target.met(target.value)
          ? 'yes'
          : '**no**';
    lines.push(
      `| ${target.text} | ${known ? `${target.value.toFixed(target.shown === 'x' ? 2 : 1)}${target.shown}` : '—'} | ${verdict} |`,
    );
  }
  return lines;
}

/** The h2 comparison the issue asks for: the MITM against mitmdump's h2 interception, same run. */
export function h2Versus(report: Report): string[] {
  const m = (key: MetricKey, c: ContenderName) => report.samples.median(key, c);
  const rps = m('h2Rps', 'mitm') / m('h2Rps', 'mitmproxy');
  const cpu = m('h2ProxyCpu', 'mitm') / m('h2ProxyCpu', 'mitmproxy');
  if (!Number.isFinite(rps)) return [];
  return [
    `- h2, tlswitness (MITM) against mitmdump: ${rps.toFixed(2)}x the requests/s, ${Number.isFinite(cpu) ? cpu.toFixed(2) : '—'}x the proxy CPU per request.`,
  ];
}

export function renderReport(report: Report): string {
  const { info } = report;
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  return [
    '# tlswitness bench',
    '',
    `${info.date} · ${info.cores} cores (${info.cpuModel}) · Node ${info.node} · load average ${load(info.loadBefore)} before, ${load(info.loadAfter)} after · ${info.wallS.toFixed(0)} s`,
    '',
    `Run: ${info.options}. Medians over repetitions; contenders alternate within each repetition. Ratios are to \`direct\`.`,
    `Load generator (a separate Node process on the same machine): ${info.loadGeneratorCpuS.toFixed(1)} s CPU over ${info.loadGeneratorWallS.toFixed(1)} s of jobs (${((100 * info.loadGeneratorCpuS) / Math.max(info.loadGeneratorWallS, 1e-9)).toFixed(0)}% of one core).`,
    '',
    ...proxyTable(report),
    '',
    ...(refTable(report).length > 0
      ? ['## This build against the --ref-cli build (MITM, medians)', '', ...refTable(report), '']
      : []),
    '## `inspect` (wall time, same origin)',
    '',
    ...inspectTable(report),
    '',
    '## Targets (issue #8), from this run',
    '',
    ...targets(report),
    '',
    '## Notes',
    '',
    '- keep-alive: raw TLS clients, one request at a time per connection, 1 KiB body; through a proxy each connection CONNECTs first. Proxy CPU is utime+stime from /proc over the timed window.',
    '- h2 keep-alive: node:http2 client sessions (ALPN h2 and http/1.1 offered, h2 required), each with concurrent streams of GET /1k back to back, to an h2-only node:http2 origin; through a proxy each session CONNECTs first (mitmdump intercepts h2 by default).',
    ...h2Versus(report),
    '- new host: one after another, a fresh TCP connection, CONNECT and full TLS handshake per name (no session reuse), a distinct SNI name per connection (cold: never seen; warm: the same names again, whose upstream connections a proxy may have kept open); first byte is from connect to the first response byte. "Origin closing each connection": other names through a path whose answer closes the connection, new then known, so that a known host needs a fresh upstream connection as a new one does; their difference is what being new costs.',
    `- delayed link: the origin behind a relay on 127.0.0.2 that holds every chunk ${info.rttMs / 2} ms each way, in order, and lets a connection's first bytes through only one RTT after it opened (as a TCP handshake would take): one RTT = ${info.rttMs} ms. Client and proxy stay on loopback, the proxy to origin hop pays the delay, as for a local proxy and a distant server. Same steps as "new host"; new: never seen; known: the same names again. In RTTs, so the figure does not depend on the machine; a fresh direct HTTPS request needs 3 (TCP, TLS 1.3, request).`,
    '- bulk: one GET on a fresh connection. RSS: a freshly started proxy, 0.5 s after listening, then holding the idle connections (each did one request). Start: spawn to the port accepting (mitmdump and tinyproxy also pay `unshare` + `mount` for their private /etc/hosts).',
    ...(report.contenders.includes('mitm-ref')
      ? [
          '- --ref-cli: another build of tlswitness, run at the same time as this one in keep-alive and bulk (each with its own connections), so that both see the same load from the rest of the machine; the "÷ the --ref-cli build" rows are medians of the per-repetition ratios.',
        ]
      : []),
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
