// A seeded generator of malformed proxy traffic (test tooling, pure): bad request lines, invalid
// CONNECT targets, oversized headers and header floods, broken chunked bodies, slow senders,
// garbage and truncated TLS after CONNECT, malformed requests inside a MITM'd session and early
// closes at every stage. Each case says which answers are right; scripts/malformed-runner.ts plays it.
import { prng } from './prng.js';

export interface TrafficTarget {
  /** The fixture name the proxy resolves with --resolve, and the port of its HTTPS origin. */
  tlsHost: string;
  tlsPort: number;
  /** A plain HTTP origin on 127.0.0.1 (it also serves /big, a large slow body). */
  httpPort: number;
  /**
   * The HTTPS origin behind a hop that holds each new connection a while: the proxy's recording of
   * it is slower than an app's handshake with the proxy (a new host, as the proxy sees it).
   */
  coldPort: number;
}

export type Stage =
  | 'request-line'
  | 'connect-target'
  | 'headers'
  | 'chunked-body'
  | 'slow-sender'
  | 'tls'
  | 'in-tls'
  | 'cold-host'
  | 'early-close'
  | 'mutation';

/** What came back: an HTTP status, a close without one, bytes that are not HTTP (a TLS alert), or nothing in time. */
export type Answer = number | 'close' | 'not-http' | 'client-closed' | 'timeout';

export type Step =
  | { op: 'send'; bytes: Buffer }
  | { op: 'pause'; ms: number }
  /** Send CONNECT and wait for its answer head; any status but 200 ends the case with that status. */
  | { op: 'connect'; authority: string }
  /** A TLS client on the tunnel (SNI = the fixture name unless given, trusting the proxy's CA). */
  | { op: 'tls'; servername?: string }
  /** Read until this many response bytes arrived (or the deadline), then go on. */
  | { op: 'read'; bytes: number }
  | { op: 'close'; how: 'end' | 'reset' };

export interface MalformedCase {
  id: number;
  name: string;
  stage: Stage;
  steps: Step[];
  allowed: Answer[];
  /** Waits on a proxy deadline (header or handshake timeout) rather than answering at once. */
  slow: boolean;
  /** Bytes back (a TLS flight, an alert) do not end the case: the proxy must close the connection. */
  untilClose: boolean;
}

type Rand = ReturnType<typeof prng>;
const int = (r: Rand, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const bytes = (text: string) => Buffer.from(text, 'latin1');
const send = (text: string | Buffer): Step => ({ op: 'send', bytes: typeof text === 'string' ? bytes(text) : text });
const randomBytes = (r: Rand, n: number, printable = false) =>
  Buffer.from(Array.from({ length: n }, () => (printable ? int(r, 0x21, 0x7e) : int(r, 0, 255))));

interface Made {
  name: string;
  steps: Step[];
  allowed: Answer[];
  slow?: boolean;
  untilClose?: boolean;
}

type Family = (r: Rand, t: TrafficTarget) => Made;

const plainUrl = (t: TrafficTarget, path = '/') => `http://127.0.0.1:${t.httpPort}${path}`;
const plainHead = (t: TrafficTarget, extra = '', method = 'GET', path = '/') =>
  `${method} ${plainUrl(t, path)} HTTP/1.1\r\nHost: 127.0.0.1:${t.httpPort}\r\n${extra}`;

// --- the plain listener ------------------------------------------------------------------------

const requestLines: Family = (r, t) => {
  const url = plainUrl(t);
  const variants: Array<[string, string]> = [
    ['garbage line', `${randomBytes(r, int(r, 1, 200), true).toString('latin1')}\r\n\r\n`],
    [
      'binary line',
      `${randomBytes(r, int(r, 1, 200))
        .toString('latin1')
        .replace(/[\r\n]/g, 'x')}\r\n\r\n`,
    ],
    ['bad method token', `G${pick(r, ['@', '(', ',', '"', '{'])}T ${url} HTTP/1.1\r\nHost: x\r\n\r\n`],
    [
      'bad version',
      `GET ${url} ${pick(r, ['HTTP/1.', 'HTTX/1.1', 'HTTP/1.1.1', 'HTTP/11', 'http/1.1', 'HTTP/-1.1'])}\r\nHost: x\r\n\r\n`,
    ],
    ['missing version', `GET ${url}\r\nHost: x\r\n\r\n`],
    ['method only', 'GET\r\n\r\n'],
    ['space in target', `GET http://127.0.0.1:${t.httpPort}/a b HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['control char in target', `GET ${url}${String.fromCharCode(int(r, 0, 8))} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['bare CR', `GET ${url} HTTP/1.1\rHost: x\r\r`],
    [
      'origin-form target',
      `GET /${randomBytes(r, int(r, 0, 20), true)
        .toString('latin1')
        .replace(/[%?#]/g, '')} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`,
    ],
    ['https:// in plain', `GET https://127.0.0.1:${t.httpPort}/ HTTP/1.1\r\nHost: x\r\n\r\n`],
    [
      'port out of range',
      `GET http://127.0.0.1:${pick(r, ['0', '65536', '99999', '123456789'])}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    ['empty host', 'GET http:/// HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['other scheme', `GET ${pick(r, ['ftp', 'file', 'gopher', 'ws'])}://127.0.0.1/ HTTP/1.1\r\nHost: x\r\n\r\n`],
  ];
  const [name, text] = pick(r, variants);
  // Node's parser reads a request line without a version as HTTP/0.9 and the request is served.
  return { name, steps: [send(text)], allowed: name === 'missing version' ? [400, 200, 'close'] : [400, 'close'] };
};

/** Hosts a CONNECT must refuse with 400: no port, port 0 or too big, spaces, non-ASCII, 8 KB. */
const connectTargets: Family = (r) => {
  const variants: Array<[string, string]> = [
    ['no port', 'api.example.com'],
    ['port 0', 'api.example.com:0'],
    ['port 99999', 'api.example.com:99999'],
    ['port 65536', '127.0.0.1:65536'],
    ['negative port', 'api.example.com:-1'],
    ['empty port', 'api.example.com:'],
    ['empty host', ':443'],
    ['letters in port', 'api.example.com:44a'],
    ['two ports', 'api.example.com:443:443'],
    ['unicode host', Buffer.from('bücher.example:443', 'utf8').toString('latin1')],
    ['8 KB host', `${'a'.repeat(8192)}:443`],
    ['8 KB dotted host', `${'abcdefgh.'.repeat(910)}com:443`],
    ['64-byte label', `${'a'.repeat(64)}.example.com:443`],
    ['unclosed bracket', '[::1:443'],
    ['bracketed non-IPv6', '[example.com]:443'],
    ['path in target', 'example.com/x:443'],
    ['userinfo', 'user@example.com:443'],
    ['percent escape', 'exa%2emple.com:443'],
    ['empty label', 'a..example.com:443'],
    ['url as target', 'https://example.com:443'],
  ];
  const [name, authority] = pick(r, variants);
  if (r() < 0.2)
    return {
      name: `${name} (space-split)`,
      steps: [send(`CONNECT ${authority} x HTTP/1.1\r\nHost: x\r\n\r\n`)],
      allowed: [400, 'close'],
    };
  return { name, steps: [send(`CONNECT ${authority} HTTP/1.1\r\nHost: x\r\n\r\n`)], allowed: [400, 431, 'close'] };
};

const headers: Family = (r, t) => {
  const variants: Array<() => Made> = [
    () => ({
      name: 'one oversized header',
      steps: [send(plainHead(t, `X-Big: ${'a'.repeat(int(r, 17, 64) * 1024)}\r\n\r\n`))],
      allowed: [431, 'close'],
    }),
    // Node counts names and values against its 16 KiB limit: 1,500+ headers of 12+ bytes each pass it.
    () => ({
      name: 'header flood over 16 KB',
      steps: [
        send(
          plainHead(
            t,
            `${Array.from({ length: int(r, 1500, 4000) }, (_, i) => `X-H${i}: ${'v'.repeat(8)}`).join('\r\n')}\r\n\r\n`,
          ),
        ),
      ],
      allowed: [431, 'close'],
    }),
    () => ({
      name: 'header flood under the limit',
      steps: [
        send(
          plainHead(
            t,
            `${Array.from({ length: int(r, 100, 600) }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\nConnection: close\r\n\r\n`,
          ),
        ),
      ],
      allowed: [200],
    }),
    () => ({
      name: 'oversized CONNECT head',
      steps: [send(`CONNECT ${t.tlsHost}:${t.tlsPort} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20 * 1024)}\r\n\r\n`)],
      allowed: [431, 'close'],
    }),
    () => ({
      name: 'header name with space',
      steps: [send(plainHead(t, 'Bad Header: x\r\n\r\n'))],
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'header without colon',
      steps: [send(plainHead(t, 'NoColonHere\r\n\r\n'))],
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'control byte in value',
      steps: [send(plainHead(t, `X-A: a${String.fromCharCode(pick(r, [0, 1, 0x7f]))}b\r\n\r\n`))],
      allowed: [400, 'close'],
    }),
    () => ({ name: 'obs-fold', steps: [send(plainHead(t, 'X-A: a\r\n folded\r\n\r\n'))], allowed: [400, 'close'] }),
    () => ({
      name: 'two Content-Lengths',
      steps: [send(plainHead(t, 'Content-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'POST'))],
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'Content-Length and chunked',
      steps: [send(plainHead(t, 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'POST'))],
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'bad Content-Length',
      steps: [
        send(
          plainHead(
            t,
            `Content-Length: ${pick(r, ['-1', 'abc', '1e3', '0x10', '99999999999999999999'])}\r\n\r\n`,
            'POST',
          ),
        ),
      ],
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'unknown Transfer-Encoding',
      steps: [send(plainHead(t, 'Transfer-Encoding: gzip\r\n\r\n', 'POST'))],
      allowed: [400, 501, 'close'],
    }),
  ];
  return pick(r, variants)();
};

const chunked: Family = (r, t) => {
  const head = plainHead(t, 'Transfer-Encoding: chunked\r\n\r\n', 'POST', '/upload');
  const variants: Array<[string, string]> = [
    ['chunk size not hex', `zz\r\nabc\r\n0\r\n\r\n`],
    ['chunk size overflow', `${'f'.repeat(int(r, 17, 40))}\r\nabc\r\n0\r\n\r\n`],
    ['missing chunk CRLF', '3\r\nabcdef\r\n0\r\n\r\n'],
    ['negative chunk size', '-3\r\nabc\r\n0\r\n\r\n'],
    [
      'chunk extension junk',
      `3;${randomBytes(r, 10)
        .toString('latin1')
        .replace(/[\r\n]/g, '')}\r\nabc\r\n0\r\n\r\n`,
    ],
    ['bad trailer', '3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n'],
    ['space in size', '3 3\r\nabc\r\n0\r\n\r\n'],
  ];
  const [name, body] = pick(r, variants);
  // The head is valid, so the proxy may already be forwarding when the body goes wrong: a 400, or a close.
  return { name, steps: [send(head), send(body)], allowed: [400, 'close'] };
};

// --- slow senders: the header deadline ---------------------------------------------------------

const slowSenders: Family = (r, t) => {
  const trickle = (text: string, ms: number): Step[] =>
    text.split('').flatMap((c) => [send(c), { op: 'pause', ms } as Step]);
  const variants: Array<() => Made> = [
    () => ({ name: 'silent after connect', steps: [], allowed: ['close', 408], slow: true }),
    () => ({
      name: 'slowloris request line',
      steps: trickle(`GET ${plainUrl(t)} HT`, 400),
      allowed: [408, 'close'],
      slow: true,
    }),
    () => ({
      name: 'slowloris headers',
      steps: [
        send(plainHead(t)),
        ...Array.from({ length: 40 }, (_, i): Step[] => [send(`X-Slow-${i}: 1\r\n`), { op: 'pause', ms: 250 }]).flat(),
      ],
      allowed: [408, 'close'],
      slow: true,
    }),
    () => ({
      name: 'slowloris CONNECT head',
      steps: [
        send(`CONNECT ${t.tlsHost}:${t.tlsPort} HTTP/1.1\r\n`),
        ...trickle('Host: abcdefghijklmnopqrstuvwxyz', 300),
      ],
      allowed: [408, 'close'],
      slow: true,
    }),
    () => ({
      name: 'half a head, then silence',
      steps: [send(plainHead(t).slice(0, int(r, 1, 30)))],
      allowed: [408, 'close'],
      slow: true,
    }),
  ];
  return pick(r, variants)();
};

// --- after CONNECT: TLS garbage, truncated hellos, malformed requests inside the MITM ------------

/** A syntactically valid TLS 1.3 ClientHello for `host` (random key share), as one record. */
export function clientHello(r: Rand, host: string): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 255]);
  const ext = (type: number, data: Buffer) => Buffer.concat([u16(type), u16(data.length), data]);
  const name = Buffer.from(host, 'latin1');
  const extensions = Buffer.concat([
    ext(0x0000, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name])),
    ext(0x000a, Buffer.from([0, 2, 0, 0x1d])),
    ext(0x000d, Buffer.from([0, 6, 4, 3, 8, 4, 4, 1])),
    ext(0x0010, Buffer.from([0, 9, 8, ...Buffer.from('http/1.1')])),
    ext(0x002b, Buffer.from([4, 3, 4, 3, 3])),
    ext(0x0033, Buffer.concat([u16(36), u16(0x1d), u16(32), randomBytes(r, 32)])),
  ]);
  const suites = [0x1301, 0x1302, 0x1303, 0xc02f, 0xc030];
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    randomBytes(r, 32),
    Buffer.from([32]),
    randomBytes(r, 32),
    u16(suites.length * 2),
    ...suites.map(u16),
    Buffer.from([1, 0]),
    u16(extensions.length),
    extensions,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(handshake.length), handshake]);
}

const tlsGarbage: Family = (r, t) => {
  const connect: Step = { op: 'connect', authority: `${t.tlsHost}:${t.tlsPort}` };
  const hello = clientHello(r, t.tlsHost);
  const cut = int(r, 1, hello.length - 1);
  // Whatever the proxy sends back (its flight, an alert), it must end with the proxy closing the connection.
  const variants: Array<() => Made> = [
    // Not TLS: tunnelled raw to the origin (an HTTPS server), which refuses it.
    // Printable and at least a record header long, so the origin's OpenSSL refuses it at once (fewer
    // bytes, or bytes that look like a record header, keep it waiting: the tunnel is transparent).
    () => ({
      name: 'plain garbage after CONNECT',
      steps: [connect, send(randomBytes(r, int(r, 8, 512), true))],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'TLS record of garbage',
      steps: [connect, send(Buffer.concat([Buffer.from([0x16, 3, 1, 0, 64]), randomBytes(r, 64)]))],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'handshake record, not a ClientHello',
      steps: [
        connect,
        send(Buffer.concat([Buffer.from([0x16, 3, 3, 0, 40, pick(r, [2, 11, 16, 20])]), randomBytes(r, 39)])),
      ],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'SSLv2-style hello',
      steps: [connect, send(Buffer.concat([Buffer.from([0x80, 0x2e, 1, 0, 2]), randomBytes(r, 44)]))],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'ClientHello with corrupted bytes',
      steps: [connect, send(corrupt(r, hello, 9))],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'huge record length',
      steps: [connect, send(Buffer.concat([Buffer.from([0x16, 3, 1, 0xff, 0xff]), randomBytes(r, 200)]))],
      allowed: ['close'],
      untilClose: true,
      slow: true,
    }),
    () => ({
      name: 'truncated ClientHello, then silence',
      steps: [connect, send(hello.subarray(0, cut))],
      allowed: ['close'],
      untilClose: true,
      slow: true,
    }),
    () => ({
      name: 'complete ClientHello, then silence',
      steps: [connect, send(hello)],
      allowed: ['close'],
      untilClose: true,
      slow: true,
    }),
    () => ({
      name: 'ClientHello then garbage records',
      steps: [
        connect,
        send(hello),
        { op: 'pause', ms: 20 },
        send(Buffer.concat([Buffer.from([0x17, 3, 3, 0, 32]), randomBytes(r, 32)])),
      ],
      allowed: ['close'],
      untilClose: true,
    }),
    () => ({
      name: 'alert record first',
      steps: [connect, send(Buffer.from([0x15, 3, 3, 0, 2, 2, int(r, 0, 120)]))],
      allowed: ['close'],
      untilClose: true,
    }),
  ];
  return pick(r, variants)();
};

const inTls: Family = (r, t) => {
  const into = (text: string): Step[] => [
    { op: 'connect', authority: `${t.tlsHost}:${t.tlsPort}` },
    { op: 'tls' },
    send(text),
  ];
  const variants: Array<() => Made> = [
    () => ({
      name: 'garbage request in TLS',
      steps: into(`${randomBytes(r, int(r, 1, 100), true).toString('latin1')}\r\n\r\n`),
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'oversized header in TLS',
      steps: into(`GET / HTTP/1.1\r\nHost: ${t.tlsHost}\r\nX-Big: ${'a'.repeat(int(r, 17, 40) * 1024)}\r\n\r\n`),
      allowed: [431, 'close'],
    }),
    () => ({
      name: 'bad chunked body in TLS',
      steps: into(`POST /up HTTP/1.1\r\nHost: ${t.tlsHost}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n`),
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'bad version in TLS',
      steps: into(`GET / HTTP/1.x\r\nHost: ${t.tlsHost}\r\n\r\n`),
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'two Content-Lengths in TLS',
      steps: into(`POST / HTTP/1.1\r\nHost: ${t.tlsHost}\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nx`),
      allowed: [400, 'close'],
    }),
    () => ({
      name: 'malformed Host in TLS',
      steps: into(`GET / HTTP/1.1\r\nHost: ${pick(r, ['[', ':::', 'a b', '%zz', ''])}\r\nConnection: close\r\n\r\n`),
      allowed: [200, 400, 'close'],
    }),
    () => ({
      name: 'slowloris in TLS',
      steps: [
        ...into(`GET / HTTP/1.1\r\nHost: ${t.tlsHost}\r\n`),
        ...Array.from({ length: 40 }, (_, i): Step[] => [send(`X-${i}: y\r\n`), { op: 'pause', ms: 250 }]).flat(),
      ],
      allowed: [408, 'close'],
      slow: true,
    }),
    () => ({ name: 'silent after TLS', steps: into(''), allowed: ['close', 408], slow: true }),
  ];
  return pick(r, variants)();
};

/**
 * The same inputs on a host the proxy has not recorded yet, whose recording ends after the app's
 * handshake: the session reaches the proxy's HTTP server with its handshake long done. An IP target
 * with a name of its own (the proxy records address + name), from a pool small enough
 * that a long run's caches stay small and large enough that a name is rarely still recorded.
 */
const coldHost: Family = (r, t) => {
  const servername = `c${int(r, 0, 49)}.cold.test`;
  const into = (text: string): Step[] => [
    { op: 'connect', authority: `127.0.0.1:${t.coldPort}` },
    { op: 'tls', servername },
    send(text),
  ];
  const variants: Array<() => Made> = [
    // Always answered: printable garbage is never a request head, and the app is still there to read why.
    () => ({
      name: 'garbage request in TLS, new host',
      steps: into(`${randomBytes(r, int(r, 1, 100), true).toString('latin1')}\r\n\r\n`),
      allowed: [400],
    }),
    () => ({
      name: 'slowloris in TLS, new host',
      steps: [
        ...into(`GET / HTTP/1.1\r\nHost: ${servername}\r\n`),
        ...Array.from({ length: 40 }, (_, i): Step[] => [send(`X-${i}: y\r\n`), { op: 'pause', ms: 250 }]).flat(),
      ],
      allowed: [408, 'close'],
      slow: true,
    }),
    () => ({ name: 'silent after TLS, new host', steps: into(''), allowed: ['close', 408], slow: true }),
  ];
  return pick(r, variants)();
};

// --- early closes at every stage ---------------------------------------------------------------

const earlyCloses: Family = (r, t) => {
  const how = pick(r, ['end', 'reset'] as const);
  const close: Step = { op: 'close', how };
  const connect: Step = { op: 'connect', authority: `${t.tlsHost}:${t.tlsPort}` };
  const hello = clientHello(r, t.tlsHost);
  const variants: Array<() => Made> = [
    () => ({
      name: 'close mid-request-line',
      steps: [send(`GET ${plainUrl(t)}`.slice(0, int(r, 1, 20))), close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close mid-CONNECT head',
      steps: [send(`CONNECT ${t.tlsHost}:${t.tlsPort} HTTP/1.1\r\nHo`), close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close right after sending CONNECT',
      steps: [send(`CONNECT ${t.tlsHost}:${t.tlsPort} HTTP/1.1\r\nHost: x\r\n\r\n`), close],
      allowed: ['client-closed'],
    }),
    () => ({ name: 'close after the CONNECT answer', steps: [connect, close], allowed: ['client-closed'] }),
    () => ({
      name: 'close mid-ClientHello',
      steps: [connect, send(hello.subarray(0, int(r, 1, hello.length - 1))), close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close after the TLS handshake',
      steps: [connect, { op: 'tls' }, close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close mid-request in TLS',
      steps: [connect, { op: 'tls' }, send(`GET /x HTTP/1.1\r\nHost: ${t.tlsHost}\r\nX-A`), close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close mid-body (plain)',
      steps: [send(plainHead(t, 'Content-Length: 1000\r\n\r\nabc', 'POST')), close],
      allowed: ['client-closed'],
    }),
    () => ({
      name: 'close mid-response (plain)',
      steps: [send(plainHead(t, '\r\n', 'GET', '/big')), { op: 'read', bytes: int(r, 1, 40_000) }, close],
      allowed: ['client-closed', 'close'],
    }),
    () => ({
      name: 'close mid-response in TLS',
      steps: [
        connect,
        { op: 'tls' },
        send(`GET /big HTTP/1.1\r\nHost: ${t.tlsHost}\r\n\r\n`),
        { op: 'read', bytes: int(r, 1, 40_000) },
        close,
      ],
      allowed: ['client-closed', 'close'],
    }),
  ];
  return pick(r, variants)();
};

// --- random mutations of good requests: anything but a crash or a hang ---------------------------

function corrupt(r: Rand, input: Buffer, from = 0): Buffer {
  const out = Buffer.from(input);
  const edits = int(r, 1, 4);
  for (let i = 0; i < edits && out.length > from; i++) out[int(r, from, out.length - 1)] = int(r, 0, 255);
  return out;
}

const mutations: Family = (r, t) => {
  // Only the path and headers are mutated: the target stays 127.0.0.1, so nothing is ever resolved.
  // A mutated terminator leaves the head incomplete: 408 at the header deadline.
  const prefix = `GET http://127.0.0.1:${t.httpPort}/`;
  const rest = bytes(`m?q=1 HTTP/1.1\r\nHost: 127.0.0.1:${t.httpPort}\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
  return {
    name: 'mutated request',
    steps: [send(Buffer.concat([bytes(prefix), corrupt(r, rest)]))],
    allowed: [200, 400, 404, 408, 431, 501, 505, 'close'],
    slow: true,
  };
};

const FAMILIES: Array<[Stage, number, Family]> = [
  ['request-line', 14, requestLines],
  ['connect-target', 14, connectTargets],
  ['headers', 12, headers],
  ['chunked-body', 8, chunked],
  ['slow-sender', 3, slowSenders],
  ['tls', 14, tlsGarbage],
  ['in-tls', 10, inTls],
  ['cold-host', 4, coldHost],
  ['early-close', 15, earlyCloses],
  ['mutation', 10, mutations],
];

/** The cases of a seed, made as they are taken (a long run never holds them all). */
export function* caseStream(seed: number, target: TrafficTarget): Generator<MalformedCase, never> {
  const r = prng(seed);
  const total = FAMILIES.reduce((sum, [, weight]) => sum + weight, 0);
  for (let id = 0; ; id++) {
    let roll = r() * total;
    const [stage, , family] = FAMILIES.find(([, weight]) => (roll -= weight) < 0) ?? FAMILIES[0]!;
    const made = family(r, target);
    yield {
      id,
      stage,
      name: made.name,
      steps: made.steps,
      allowed: made.allowed,
      slow: !!made.slow,
      untilClose: !!made.untilClose,
    };
  }
}

/** n cases from seed: the same seed and target always give the same cases. */
export function generateCases(seed: number, n: number, target: TrafficTarget): MalformedCase[] {
  const stream = caseStream(seed, target);
  return Array.from({ length: n }, () => stream.next().value);
}
