// The bench's pure parts: the load generator's HTTP response parser, its statistics and its flags.
import test from 'ava';
import { ResponseParser } from '../../scripts/bench/http-client.js';
import { parseOptions } from '../../scripts/bench/options.js';
import { refTable, renderReport, Samples, targets, type Report } from '../../scripts/bench/report.js';
import { CLI } from '../helpers/fixtures.js';
import { median, percentile, rotate } from '../../scripts/bench/stats.js';

/** Feeds `text` in pieces of `size` bytes; the piece index at which the parser said "complete". */
function feedInPieces(parser: ResponseParser, text: string, size: number): number {
  const bytes = Buffer.from(text, 'latin1');
  for (let i = 0, piece = 0; i < bytes.length; i += size, piece++)
    if (parser.feed(bytes.subarray(i, i + size))) return piece;
  return -1;
}

test('ResponseParser: Content-Length bodies complete on their last byte, whatever the read boundaries', (t) => {
  const response = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 10\r\n\r\n0123456789';
  for (const size of [1, 3, 7, response.length]) {
    const parser = new ResponseParser();
    t.is(feedInPieces(parser, response, size), Math.ceil(response.length / size) - 1, `pieces of ${size}`);
    t.is(parser.status, 200);
    t.is(parser.bodyBytes, 10);
  }
});

test('ResponseParser: chunked bodies (with extensions and trailers) complete after the last chunk', (t) => {
  const response =
    'HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\na;ext=1\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n';
  for (const size of [1, 2, 5, response.length]) {
    const parser = new ResponseParser();
    t.is(feedInPieces(parser, response, size), Math.ceil(response.length / size) - 1, `pieces of ${size}`);
    t.is(parser.status, 502);
    t.is(parser.bodyBytes, 15);
  }
  const parser = new ResponseParser();
  t.false(
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')),
    'not complete before the last chunk',
  );
});

test('ResponseParser: a body of unknown length is refused (the bench needs keep-alive framing)', (t) => {
  t.throws(() => new ResponseParser().feed(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody')), {
    message: /without Content-Length or chunked/,
  });
});

test('stats: median, nearest-rank percentile, rotation', (t) => {
  t.is(median([5, 1, 3]), 3);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.true(Number.isNaN(median([])));
  t.is(median([Number.NaN, 2, 4]), 3, 'a failed repetition does not poison the median');
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  t.is(percentile(hundred, 50), 50);
  t.is(percentile(hundred, 99), 99);
  t.is(percentile([7], 99), 7);
  t.deepEqual(rotate(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  t.deepEqual(rotate(['a', 'b', 'c'], 5), ['c', 'a', 'b']);
});

test('options: defaults, --smoke sizes, and one-line refusals', (t) => {
  const full = parseOptions([]);
  t.is(full.connections, 32);
  t.is(full.bulkMib, 256);
  t.is(full.idle, 1000);
  t.deepEqual(full.contenders, ['direct', 'tunnel', 'mitm', 'tinyproxy', 'mitmproxy']);
  t.is(full.out, 'bench-results.md');
  const smoke = parseOptions(['--smoke', '--reps', '2']);
  t.deepEqual(smoke.contenders, ['direct', 'tunnel', 'mitm']);
  t.is(smoke.reps, 2, 'an explicit flag wins over the smoke size');
  t.true(smoke.bulkMib < 16);
  t.is(parseOptions(['--duration', '0.5']).duration, 0.5);
  t.throws(() => parseOptions(['--reps', '1.5']), { message: /--reps 1\.5: expected a positive whole number/ });
  t.throws(() => parseOptions(['--contenders', 'direct,squid']), { message: /"squid" is not one of/ });
  t.throws(() => parseOptions(['--bogus']), { message: /Unknown option '--bogus'/ });
});

test('options: the delayed link, the origin key and the phases', (t) => {
  const full = parseOptions([]);
  t.is(full.rttMs, 20, 'one RTT is 20 ms unless asked otherwise');
  t.is(full.originKey, 'rsa', 'RSA-2048, as most public servers');
  t.deepEqual(full.phases, ['keep-alive', 'h2', 'new-hosts', 'delayed', 'bulk', 'idle', 'inspect']);
  t.true(parseOptions(['--smoke']).delayedHosts < full.delayedHosts);
  const picked = parseOptions(['--phases', 'delayed,inspect', '--rtt', '50', '--origin-key', 'ec']);
  t.deepEqual(picked.phases, ['delayed', 'inspect']);
  t.is(picked.rttMs, 50);
  t.is(picked.originKey, 'ec');
  t.throws(() => parseOptions(['--phases', 'warp']), { message: /"warp" is not one of/ });
  t.throws(() => parseOptions(['--origin-key', 'dsa']), { message: /expected rsa or ec/ });
});

test('options: --ref-cli adds the reference build as a contender, named or not', (t) => {
  t.is(parseOptions([]).refCli, null);
  const ab = parseOptions(['--contenders', 'direct,mitm', '--ref-cli', '/tmp/ref/dist/tlswitness.mjs']);
  t.is(ab.refCli, '/tmp/ref/dist/tlswitness.mjs');
  t.deepEqual(ab.contenders, ['direct', 'mitm', 'mitm-ref']);
  t.deepEqual(parseOptions(['--contenders', 'mitm-ref,mitm', '--ref-cli', 'x']).contenders, ['mitm-ref', 'mitm']);
  const flags = parseOptions(['--contenders', 'mitm', '--ref-node-options=--max-semi-space-size=32']);
  t.is(flags.refCli, CLI, 'node options alone compare this very build with and without them');
  t.is(flags.refNodeOptions, '--max-semi-space-size=32');
  t.deepEqual(flags.contenders, ['mitm', 'mitm-ref']);
  t.true(flags.pair, 'side by side unless asked otherwise');
  t.false(parseOptions(['--ref-cli', 'x', '--no-pair']).pair);
});

test('options: the h2 phase runs a few sessions with several streams each', (t) => {
  const full = parseOptions([]);
  t.is(full.h2Sessions * full.h2Streams, 64);
  const smoke = parseOptions(['--smoke']);
  t.true(smoke.h2Sessions * smoke.h2Streams < 64);
  const picked = parseOptions(['--phases', 'h2', '--h2-sessions', '1', '--h2-streams', '100']);
  t.deepEqual([picked.phases, picked.h2Sessions, picked.h2Streams], [['h2'], 1, 100]);
  t.throws(() => parseOptions(['--h2-streams', '0']), { message: /--h2-streams 0: expected a positive whole number/ });
});

test('options: --contenders takes mitmdump, the label of the mitmproxy contender', (t) => {
  t.deepEqual(parseOptions(['--contenders', 'direct,mitm,mitmdump', '--ref-cli', 'x']).contenders, [
    'direct',
    'mitm',
    'mitmproxy',
    'mitm-ref',
  ]);
});

test('refTable: this build over the --ref-cli build, metric by metric and inspect, with which way is better', (t) => {
  const samples = new Samples();
  for (const [contender, rps, p50] of [
    ['direct', 1000, 0.5],
    ['mitm', 300, 4],
    ['mitm-ref', 200, 5],
  ] as const) {
    samples.add('kaRps', contender, rps);
    samples.add('kaP50', contender, p50);
    samples.add('h2Rps', contender, rps * 2);
  }
  samples.add('kaProxyCpuVsRef', 'mitm', 0.9);
  const report: Report = {
    info: {
      date: '2026-12-06T00:00:00Z',
      cores: 2,
      cpuModel: 'test',
      node: 'v20',
      loadBefore: [0, 0, 0],
      loadAfter: [0, 0, 0],
      options: 'test',
      rttMs: 20,
      idle: 10,
      loadGeneratorCpuS: 1,
      loadGeneratorWallS: 1,
      wallS: 1,
    },
    contenders: ['direct', 'mitm', 'mitm-ref'],
    samples,
    inspect: { node: [50], inspect: [90], ref: [120] },
    notes: [],
  };
  t.deepEqual(refTable(report), [
    '| metric | tlswitness (MITM, --ref-cli) | tlswitness (MITM) | this build ÷ the --ref-cli build |',
    '|---|---:|---:|---:|',
    '| keep-alive: requests/s, higher is better | 200 | 300 | 1.50x |',
    '| keep-alive: latency p50 (ms), lower is better | 5.00 | 4.00 | 0.80x |',
    '| h2 keep-alive: requests/s, higher is better | 400 | 600 | 1.50x |',
    '| `inspect` wall time (ms), lower is better | 120.0 | 90.0 | 0.75x |',
  ]);
  t.true(renderReport(report).includes('## This build against the --ref-cli build'));
  const without = { ...report, contenders: ['direct', 'mitm'] as Report['contenders'] };
  t.deepEqual(refTable(without), []);
  t.false(renderReport(without).includes('against the --ref-cli build'));
});

test('targets: bulk against mitmdump is not judged from a download run beside the --ref-cli build', (t) => {
  const samples = new Samples();
  samples.add('bulkMBps', 'mitm', 300);
  samples.add('bulkMBps', 'mitmproxy', 100);
  const report = { info: { idle: 1000 }, samples, inspect: {} } as unknown as Report;
  const line = () => targets(report).find((l) => l.includes('MITM bulk MB/s'));
  t.is(line(), '| MITM bulk MB/s ≥ 2x mitmdump | 3.00x | yes |');
  samples.add('bulkMBpsVsRef', 'mitm', 1);
  t.is(
    line(),
    '| MITM bulk MB/s ≥ 2x mitmdump | 3.00x | not judged: downloaded beside the --ref-cli build (run without it, or with --no-pair) |',
  );
});
