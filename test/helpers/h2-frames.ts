// HTTP/2 frames written by hand (RFC 9113 §4.1: a 9-byte header, then the payload), a minimal HPACK
// encoder (literal header fields without indexing, no Huffman: RFC 7541 §6.2.2) and a frame reader, so
// tests can send what no well-behaved client library would.

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Frame types, RFC 9113 §6. */
export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Flag = { END_STREAM: 0x1, ACK: 0x1, END_HEADERS: 0x4, PADDED: 0x8, PRIORITY: 0x20 } as const;

/** SETTINGS identifiers, RFC 9113 §6.5.2. */
export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** Error codes, RFC 9113 §7. */
export const ErrorCode = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  ENHANCE_YOUR_CALM: 0xb,
} as const;

/** One frame: the 9-byte header (24-bit length, type, flags, reserved bit + 31-bit stream id) and the payload. */
export function frame(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId & 0x7fffffff, 5);
  return Buffer.concat([header, payload]);
}

/** A frame header that claims `length` bytes of payload, sent without them (or with fewer). */
export function frameHeader(length: number, type: number, flags: number, streamId: number): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId >>> 0, 5);
  return header;
}

/** An HPACK integer with an N-bit prefix (RFC 7541 §5.1); `first` holds the bits above the prefix. */
export function hpackInteger(value: number, prefixBits: number, first = 0): Buffer {
  const max = (1 << prefixBits) - 1;
  if (value < max) return Buffer.from([first | value]);
  const bytes = [first | max];
  let rest = value - max;
  while (rest >= 128) {
    bytes.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function hpackString(text: string | Buffer): Buffer {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  return Buffer.concat([hpackInteger(bytes.length, 7), bytes]);
}

/** A literal header field without indexing, new name (RFC 7541 §6.2.2): 0x00, name, value; no Huffman. */
export function hpackLiteral(name: string, value: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x00]), hpackString(name), hpackString(value)]);
}

/** The header block of a GET: the four pseudo-headers first (RFC 9113 §8.3.1), then `extra`. */
export function requestBlock(authority: string, path: string, extra: [string, string | Buffer][] = []): Buffer {
  return Buffer.concat(
    [[':method', 'GET'], [':scheme', 'https'], [':authority', authority], [':path', path], ...extra].map(
      ([name, value]) => hpackLiteral(name as string, value!),
    ),
  );
}

export function settings(pairs: [number, number][] = [], ack = false): Buffer {
  const payload = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, value], i) => {
    payload.writeUInt16BE(id, i * 6);
    payload.writeUInt32BE(value >>> 0, i * 6 + 2);
  });
  return frame(FrameType.SETTINGS, ack ? Flag.ACK : 0, 0, payload);
}

export function windowUpdate(streamId: number, increment: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(increment >>> 0);
  return frame(FrameType.WINDOW_UPDATE, 0, streamId, payload);
}

export function rstStream(streamId: number, code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(code);
  return frame(FrameType.RST_STREAM, 0, streamId, payload);
}

export function ping(data = Buffer.alloc(8)): Buffer {
  return frame(FrameType.PING, 0, 0, data);
}

/** HEADERS for a GET on `streamId`, whole (END_HEADERS) and, unless `open`, ending the stream. */
export function getRequest(streamId: number, authority: string, path: string, open = false): Buffer {
  return frame(
    FrameType.HEADERS,
    Flag.END_HEADERS | (open ? 0 : Flag.END_STREAM),
    streamId,
    requestBlock(authority, path),
  );
}

export interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

/** GOAWAY's last stream id and error code (RFC 9113 §6.8), RST_STREAM's error code (§6.4). */
export function errorCodeOf(f: Frame): number | null {
  if (f.type === FrameType.GOAWAY && f.payload.length >= 8) return f.payload.readUInt32BE(4);
  if (f.type === FrameType.RST_STREAM && f.payload.length >= 4) return f.payload.readUInt32BE(0);
  return null;
}

/** SETTINGS values a server sent in one frame, by identifier. */
export function settingsOf(f: Frame): Map<number, number> {
  const values = new Map<number, number>();
  for (let at = 0; at + 6 <= f.payload.length; at += 6)
    values.set(f.payload.readUInt16BE(at), f.payload.readUInt32BE(at + 2));
  return values;
}

/** Splits a byte stream into frames as they complete; bytes of a partial frame wait for the rest. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  readonly frames: Frame[] = [];

  feed(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const got: Frame[] = [];
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) break;
      got.push({
        type: this.pending[3]!,
        flags: this.pending[4]!,
        streamId: this.pending.readUInt32BE(5) & 0x7fffffff,
        payload: this.pending.subarray(9, 9 + length),
      });
      this.pending = this.pending.subarray(9 + length);
    }
    this.frames.push(...got);
    return got;
  }
}
