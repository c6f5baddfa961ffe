// HttpAsk's twin for a connection on which the server chose h2 in ALPN: `HEAD /` as one HTTP/2 stream
// (node:http2 over a Duplex fed with what the TLS socket read, the server's SETTINGS included).
import type { ClientHttp2Session } from 'node:http2';
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import type { HttpAnswer } from '../types.js';

const BODY_BYTES = 1024;
// node:http2 is loaded when a request is asked, not with the module: few handshakes ever need it, and
// loading it (with node:assert) costs every inspect and proxy ~5 ms and ~2 MB. Synchronously, as
// start() is called from a socket event.
const loadBuiltin = createRequire(import.meta.url);

export class Http2Ask {
  readonly request = 'HEAD /';
  private readonly wire: Duplex;
  private session: ClientHttp2Session | null = null;
  private status: number | null = null;
  private head = '';
  private settled = false;

  constructor(
    private readonly authority: string,
    write: (chunk: Buffer) => void,
    /** What the TLS socket read before the request (the server's SETTINGS frame, at least). */
    early: Buffer[],
    private readonly done: (answer: HttpAnswer) => void,
  ) {
    this.wire = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        write(chunk);
        callback();
      },
    });
    for (const chunk of early) this.wire.push(chunk);
  }

  start(): void {
    const { connect, constants } = loadBuiltin('node:http2') as typeof import('node:http2');
    const session = connect(`https://${this.authority}`, { createConnection: () => this.wire });
    this.session = session;
    session.on('error', (error: Error) => this.ended('reset', error.message));
    session.on('goaway', (code: number) => {
      if (this.status === null && code !== constants.NGHTTP2_NO_ERROR) this.ended('reset', `GOAWAY ${code}`);
    });
    const stream = session.request(
      { ':method': 'HEAD', ':path': '/', ':authority': this.authority, 'user-agent': 'tlswitness' },
      { endStream: true },
    );
    stream.on('response', (headers) => {
      this.status = Number(headers[':status']);
      this.head = `HTTP/2 ${this.status}\r\n${Object.entries(headers)
        .filter(([name]) => !name.startsWith(':'))
        .map(([name, value]) => `${name}: ${String(value)}`)
        .join('\r\n')}\r\n\r\n`;
    });
    stream.on('data', (chunk: Buffer) => {
      if (this.head.length < BODY_BYTES * 8) this.head += chunk.subarray(0, BODY_BYTES).toString('latin1');
    });
    stream.on('error', (error: Error) => this.ended('reset', error.message));
    stream.on('close', () =>
      this.ended(
        stream.rstCode && this.status === null ? 'reset' : 'closed',
        stream.rstCode ? `RST_STREAM ${stream.rstCode}` : null,
      ),
    );
  }

  data(chunk: Buffer): void {
    this.wire.push(chunk);
  }

  ended(end: 'closed' | 'reset' | 'alert' | 'timeout', error: string | null): void {
    if (this.settled) return;
    this.settled = true;
    this.session?.destroy();
    this.done({
      request: this.request,
      status: this.status,
      statusText: '',
      head: this.head,
      end: this.status === null ? end : 'response',
      error: this.status === null ? error : null,
    });
  }
}
