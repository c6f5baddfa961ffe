// One HTTP/1.1 request on a TLS connection that is already up: `HEAD /` (then `GET /` when HEAD is not
// allowed), and what came back, as bytes are fed in. Reads; the judgement is diagnose/client-cert-probe.ts.
import type { HttpAnswer } from '../types.js';

/** Enough of a response to read its status, its headers and the start of an error page. */
const KEEP_BYTES = 8 * 1024;
const BODY_BYTES = 1024;

/** The status line of an HTTP/1.x response; null when the bytes are not one. */
export function parseStatusLine(text: string): { status: number; statusText: string } | null {
  const match = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?\r?\n/.exec(text);
  return match ? { status: Number(match[1]), statusText: (match[2] ?? '').trim() } : null;
}

export class HttpAsk {
  private received = Buffer.alloc(0);
  private method: 'HEAD' | 'GET' = 'HEAD';
  /** The answer to HEAD while GET is under way: kept if GET gets none. */
  private first: HttpAnswer | null = null;
  private settled = false;

  constructor(
    private readonly host: string,
    private readonly write: (text: string) => void,
    private readonly done: (answer: HttpAnswer) => void,
  ) {}

  /** The request line last sent, e.g. `HEAD /`. */
  get request(): string {
    return `${this.method} /`;
  }

  start(): void {
    this.send('HEAD');
  }

  private send(method: 'HEAD' | 'GET'): void {
    this.method = method;
    this.received = Buffer.alloc(0);
    this.write(
      `${method} / HTTP/1.1\r\nHost: ${this.host}\r\nUser-Agent: tlswitness\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    );
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    if (this.received.length < KEEP_BYTES)
      this.received = Buffer.concat([this.received, chunk]).subarray(0, KEEP_BYTES);
    const text = this.received.toString('latin1');
    if (text.length >= 5 && !text.startsWith('HTTP/')) return this.finish({ ...this.answer(null), end: 'not-http' });
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd < 0) {
      if (this.received.length >= KEEP_BYTES) this.finish({ ...this.answer(null), end: 'not-http' });
      return;
    }
    const line = parseStatusLine(text);
    if (!line) return this.finish({ ...this.answer(null), end: 'not-http' });
    const answer = this.answer(line);
    // RFC 9110 9.3.2: HEAD is answered like GET without content; a server that does not allow it gets GET.
    if (
      this.method === 'HEAD' &&
      (line.status === 405 || line.status === 501) &&
      !/\r\nconnection:\s*close/i.test(text.slice(0, headEnd))
    ) {
      this.first = answer;
      this.send('GET');
      return;
    }
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, headEnd));
    const body = text.length - headEnd - 4;
    if (this.method === 'HEAD' || body >= BODY_BYTES || (length && body >= Number(length[1]))) this.finish(answer);
  }

  /** The connection ended (or went silent): what was read is the answer. */
  ended(end: 'closed' | 'reset' | 'alert' | 'timeout', error: string | null): void {
    if (this.settled) return;
    const line = parseStatusLine(this.received.toString('latin1'));
    if (line) return this.finish(this.answer(line));
    if (this.first) return this.finish(this.first);
    this.finish({ ...this.answer(null), end: this.received.length ? 'not-http' : end, error });
  }

  private answer(line: { status: number; statusText: string } | null): HttpAnswer {
    return {
      request: this.request,
      status: line?.status ?? null,
      statusText: line?.statusText ?? '',
      head: this.received.toString('latin1').slice(0, KEEP_BYTES),
      end: 'response',
      error: null,
    };
  }

  private finish(answer: HttpAnswer): void {
    if (this.settled) return;
    this.settled = true;
    this.done(answer);
  }
}
