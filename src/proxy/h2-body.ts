// An app's HTTP/2 request body that stalls or crawls is cut as on HTTP/1.1 (body-progress.ts: no byte for
// the header deadline, or under MIN_BODY_RATE after it): a 408 when no answer has started, the stream
// reset either way, and a BODY_TIMEOUT event; otherwise one stream could hold its upstream stream for ever.
import { constants, type ServerHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { count } from '../plural.js';
import { judgeBody, MIN_BODY_RATE } from './body-progress.js';
import type { Report } from './request-heads.js';

export interface BodyWatch {
  deadlineMs: number;
  /** "MITM host:port", for the event. */
  label: string;
  report: Report;
  /** Answers the stream itself (h2-exchange.ts `answer`). */
  answer(status: number, text: string): void;
}

/** Watches the body of `stream` from now (its head is complete) until it ends. */
export function watchBody(stream: ServerHttp2Stream, watch: BodyWatch): void {
  if (stream.readableEnded) return;
  const started = performance.now();
  let received = 0;
  let lastByte = started;
  // Counted beside the pipe that carries the body (a second 'data' listener sees the same chunks).
  stream.on('data', (chunk: Buffer) => {
    received += chunk.length;
    lastByte = performance.now();
  });
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    if (stream.readableEnded || stream.destroyed) return;
    const now = performance.now();
    const verdict = judgeBody({ elapsedMs: now - started, received, idleMs: now - lastByte }, watch.deadlineMs);
    if ('checkAgainInMs' in verdict) {
      timer = setTimeout(check, verdict.checkAgainInMs);
      return;
    }
    const why =
      verdict.cut === 'stalled'
        ? `no byte of it for ${watch.deadlineMs} ms`
        : `${count(received, 'byte')} in ${Math.round(now - started)} ms, under ${MIN_BODY_RATE} bytes/s`;
    const what = `the request body ${verdict.cut === 'stalled' ? 'stalled' : 'came too slowly'} (${why})`;
    watch.report('BODY_TIMEOUT', `${watch.label}: ${what} on HTTP/2 stream ${stream.id}; request cut`);
    const answered = !stream.headersSent;
    if (answered) watch.answer(408, `tlswitness: ${what}\n`);
    // RFC 9113 8.1: after a complete response, RST_STREAM NO_ERROR asks the app to stop sending the body.
    // The reset also cancels the upstream stream (h2-exchange.ts ties their ends).
    stream.close(answered ? constants.NGHTTP2_NO_ERROR : constants.NGHTTP2_CANCEL);
  };
  timer = setTimeout(check, watch.deadlineMs);
  stream.once('end', () => clearTimeout(timer));
  stream.once('close', () => clearTimeout(timer));
}
