// The malformed-h2 cases: hand-made frames that a server must answer with GOAWAY (a connection error)
// or RST_STREAM (a stream error), RFC 9113 §5.4, each in bounded volume; and the player that sends one
// case on a fresh connection and says what came back.
import { prng } from '../../scripts/prng.js';
import {
  ErrorCode,
  errorCodeOf,
  Flag,
  frame,
  frameHeader,
  FrameType,
  getRequest,
  hpackInteger,
  PREFACE,
  requestBlock,
  rstStream,
  Setting,
  settings,
  settingsOf,
  windowUpdate,
  type Frame,
} from './h2-frames.js';
import { RawH2, type H2Target } from './h2-raw.js';

/** What the server sent us in its first SETTINGS frame, and where the request goes. */
export interface Peer {
  authority: string;
  settings: Map<number, number>;
}

export interface H2Case {
  name: string;
  /**
   * A connection error must end in GOAWAY; a stream error may be answered on the stream alone. `end`:
   * against node:http2 itself a closed connection counts too: it tears some sessions down without a
   * GOAWAY, and on a flood a server that closes while the client still sends loses its GOAWAY to the TCP
   * reset the unread bytes cause (RFC 1122 §4.2.2.13). The proxy reads and discards after its sessions
   * end (src/proxy/h2-linger.ts), so through it every case must be answered with GOAWAY or RST_STREAM.
   */
  expect: 'goaway' | 'rst-or-goaway' | 'end';
  /** Writes the case after the preface and SETTINGS exchange (or instead of it, with `ownPreface`). */
  play(conn: RawH2, peer: Peer): Promise<unknown>;
  ownPreface?: boolean;
  /**
   * The proxy's one error event for the case (through the proxy): HTTP2_PROTOCOL (the default) for a frame
   * or flood that breaks the protocol, HEADER_TIMEOUT only for an app that really went quiet.
   */
  event?: 'HTTP2_PROTOCOL' | 'HEADER_TIMEOUT';
  /** A limit of the proxy's own (node:http2 has none): not played against node:http2 itself. */
  proxyOnly?: boolean;
}

export interface H2Outcome {
  name: string;
  ok: boolean;
  goaway: number | null;
  resets: number;
  closed: boolean;
  ms: number;
  /** The codes of the proxy's error events that came with it, when played through the proxy. */
  events?: string[];
}

const MAX_FRAME = 16_384;

/** Writes `count` copies of what `make(i)` returns, in writes of about 64 KiB, stopping when the peer has closed. */
async function flood(conn: RawH2, count: number, make: (i: number) => Buffer): Promise<void> {
  let batch: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < count && !conn.closed; i++) {
    const bytes = make(i);
    batch.push(bytes);
    size += bytes.length;
    if (size >= 65_536 || i === count - 1) {
      if (!(await conn.write(Buffer.concat(batch)))) return;
      batch = [];
      size = 0;
    }
  }
}

/** HEADERS without END_HEADERS carrying the start of `block`, then the rest in CONTINUATION frames. */
function fragmented(streamId: number, block: Buffer, fragment = MAX_FRAME): Buffer[] {
  const frames = [frame(FrameType.HEADERS, Flag.END_STREAM, streamId, block.subarray(0, fragment))];
  for (let at = fragment; at < block.length; at += fragment) {
    const last = at + fragment >= block.length;
    frames.push(
      frame(FrameType.CONTINUATION, last ? Flag.END_HEADERS : 0, streamId, block.subarray(at, at + fragment)),
    );
  }
  return frames;
}

function randomBytes(next: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

export function h2Cases(seed: number): H2Case[] {
  const next = prng(seed);
  return [
    {
      name: 'a bad connection preface',
      expect: 'goaway',
      ownPreface: true,
      play: (conn) => conn.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n'), settings()])),
    },
    {
      name: 'random bytes after the preface',
      expect: 'goaway',
      play: (conn) => conn.write(randomBytes(next, 4096)),
    },
    {
      name: '300 random frames',
      expect: 'goaway',
      play: (conn) =>
        flood(conn, 300, () => {
          const payload = randomBytes(next, Math.floor(next() * 48));
          // Types 0-9 and an unknown one; stream 0 or a low odd or even id.
          const type = Math.floor(next() * 11);
          return frame(type, Math.floor(next() * 256), Math.floor(next() * 8), payload);
        }),
    },
    {
      name: 'a frame longer than SETTINGS_MAX_FRAME_SIZE',
      expect: 'goaway',
      play: (conn) => conn.write(Buffer.concat([frameHeader(1 << 20, FrameType.DATA, 0, 1), Buffer.alloc(4096)])),
    },
    {
      name: 'an HPACK literal of 1 MiB in HEADERS + CONTINUATION',
      expect: 'rst-or-goaway',
      play: (conn, peer) => {
        const value = Buffer.alloc(1 << 20, 'a');
        const big = Buffer.concat([
          Buffer.from([0x00]),
          hpackInteger(5, 7),
          Buffer.from('x-big'),
          hpackInteger(value.length, 7),
          value,
        ]);
        return flood(conn, 1, () =>
          Buffer.concat(fragmented(1, Buffer.concat([requestBlock(peer.authority, '/big-header'), big]))),
        );
      },
    },
    {
      name: 'a CONTINUATION flood (20,000 frames, never END_HEADERS)',
      expect: 'end',
      play: async (conn, peer) => {
        const piece = Buffer.concat([
          Buffer.from([0x00]),
          hpackInteger(7, 7),
          Buffer.from('x-flood'),
          hpackInteger(8, 7),
          Buffer.from('aaaaaaaa'),
        ]);
        await conn.write(frame(FrameType.HEADERS, Flag.END_STREAM, 1, requestBlock(peer.authority, '/flood')));
        await flood(conn, 20_000, () => frame(FrameType.CONTINUATION, 0, 1, piece));
      },
    },
    {
      name: 'a header block left unfinished (HEADERS without END_HEADERS, then silence)',
      expect: 'end',
      event: 'HEADER_TIMEOUT',
      proxyOnly: true,
      // The proxy's header deadline (--header-timeout) applies to a stream's headers too.
      play: (conn, peer) =>
        conn.write(frame(FrameType.HEADERS, Flag.END_STREAM, 1, requestBlock(peer.authority, '/stall'))),
    },
    {
      name: 'rapid reset: 10,000 HEADERS each followed by RST_STREAM (CVE-2023-44487)',
      expect: 'end',
      play: (conn, peer) =>
        flood(conn, 10_000, (i) =>
          Buffer.concat([getRequest(2 * i + 1, peer.authority, '/reset'), rstStream(2 * i + 1, ErrorCode.CANCEL)]),
        ),
    },
    {
      name: 'a SETTINGS flood (20,000 frames)',
      expect: 'end',
      play: (conn) => flood(conn, 20_000, () => settings([[Setting.ENABLE_PUSH, 0]])),
    },
    {
      name: 'WINDOW_UPDATE of 0 on the connection',
      expect: 'goaway',
      play: (conn) => conn.write(windowUpdate(0, 0)),
    },
    {
      name: 'WINDOW_UPDATE of 0 on a stream',
      expect: 'end',
      play: (conn, peer) =>
        conn.write(Buffer.concat([getRequest(1, peer.authority, '/open', true), windowUpdate(1, 0)])),
    },
    {
      name: 'a bad HEADERS block (HPACK index 0), one byte per write',
      expect: 'goaway',
      play: async (conn) => {
        // Index 0 is not a valid table entry: a COMPRESSION_ERROR (RFC 7541 §6.1), fed in 10 TLS records.
        for (const byte of frame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 1, Buffer.from([0x80])))
          if (!(await conn.write(Buffer.from([byte])))) return;
      },
    },
    {
      name: 'a connection window past 2^31-1',
      expect: 'goaway',
      play: (conn) => conn.write(windowUpdate(0, 0x7fffffff)),
    },
    {
      name: 'a stream window past 2^31-1',
      expect: 'rst-or-goaway',
      play: (conn, peer) =>
        conn.write(Buffer.concat([getRequest(1, peer.authority, '/open', true), windowUpdate(1, 0x7fffffff)])),
    },
    {
      name: 'streams over SETTINGS_MAX_CONCURRENT_STREAMS',
      expect: 'end',
      play: (conn, peer) => {
        // Streams left open by the client (no END_STREAM) count against the limit (RFC 9113 §5.1.2).
        const limit = peer.settings.get(Setting.MAX_CONCURRENT_STREAMS) ?? 1000;
        return flood(conn, limit + 10, (i) => getRequest(2 * i + 1, peer.authority, '/open', true));
      },
    },
  ];
}

const answered = (frames: Frame[], expect: H2Case['expect']) =>
  frames.some((f) => f.type === FrameType.GOAWAY || (expect !== 'goaway' && f.type === FrameType.RST_STREAM));

/**
 * Plays one case on a fresh connection; waits up to `deadlineMs` for its GOAWAY or RST_STREAM. `strict`: a
 * close alone never counts (through the proxy). Never rejects.
 */
export async function playCase(target: H2Target, c: H2Case, deadlineMs: number, strict = false): Promise<H2Outcome> {
  const started = performance.now();
  let conn: RawH2;
  try {
    conn = await RawH2.open(target);
  } catch (error) {
    return { name: `${c.name} (${(error as Error).message})`, ok: false, goaway: null, resets: 0, closed: true, ms: 0 };
  }
  try {
    const peer: Peer = { authority: `${target.host}:${target.port}`, settings: new Map() };
    if (!c.ownPreface) {
      await conn.write(Buffer.concat([PREFACE, settings()]));
      const isSettings = (f: Frame) => f.type === FrameType.SETTINGS && !(f.flags & Flag.ACK);
      await conn.until((frames) => frames.some(isSettings), deadlineMs);
      const first = conn.frames.find(isSettings);
      if (first) peer.settings = settingsOf(first);
      await conn.write(settings([], true));
    }
    await c.play(conn, peer);
    await conn.until((frames) => answered(frames, c.expect), deadlineMs);
    const goaway = conn.frames.find((f) => f.type === FrameType.GOAWAY);
    return {
      name: c.name,
      ok: answered(conn.frames, c.expect) || (c.expect === 'end' && conn.closed && !strict),
      goaway: goaway ? errorCodeOf(goaway) : null,
      resets: conn.frames.filter((f) => f.type === FrameType.RST_STREAM).length,
      closed: conn.closed,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    conn.close();
  }
}
