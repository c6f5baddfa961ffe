// Watches the app's exchanges with hosts that asked for a client certificate and got none (no
// --upstream-client-cert): a refusal (400/403/495/496, or a close before any answer) turns the host's
// record into client-cert-required, published again under its id; over HTTP/1.1 or HTTP/2 (h2-refusal-watch.ts).
// The app's response is untouched: only a copy of its first KiB is read.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { withAppRefusal } from '../diagnose/client-cert-probe.js';
import type { HandshakeRecord, HttpAnswer } from '../types.js';
import type { HostRecorder } from './host-recorder.js';
import type { MitmConnection } from './mitm-session.js';
import { UpstreamRefusal } from './openssl-gate.js';

const REFUSALS = new Set([400, 403, 495, 496]);
const SAMPLE_BYTES = 1024;

/** Whether this exchange can tell anything: the upstream asked for a certificate and none was presented. */
function watched(connection: MitmConnection | undefined): connection is MitmConnection {
  const record = connection?.record;
  return (
    !!record &&
    record.clientCertificate.requested &&
    !record.clientCertificate.presented &&
    record.diagnosis.problem === 'ok'
  );
}

export class ClientCertRefusals {
  /** Records already amended: one update per record, however many requests it refuses. */
  private readonly amended = new WeakSet<HandshakeRecord>();

  constructor(private readonly recorder: HostRecorder) {}

  /** Whether this session's exchanges can tell anything (checked once per h2 session: hosts never change it). */
  watches(connection: MitmConnection | undefined): boolean {
    return watched(connection);
  }

  /** The upstream's HTTP/1.1 response to one of the app's requests. */
  response(connection: MitmConnection | undefined, method: string, response: IncomingMessage | undefined): void {
    if (!response || !watched(connection) || !REFUSALS.has(response.statusCode ?? 0)) return;
    const head = [`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage ?? ''}`];
    for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
      head.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
    this.sampled(connection, method, response.statusCode ?? 0, response.statusMessage ?? '', head, response);
  }

  /**
   * A response known by its status and fields (an h2 origin's: no reason phrase), its body to sample.
   * `fields`: name/value pairs, as IncomingMessage.rawHeaders.
   */
  status(
    connection: MitmConnection | undefined,
    method: string,
    status: number,
    fields: string[],
    body: Readable,
  ): void {
    if (!watched(connection) || !REFUSALS.has(status)) return;
    const head = [`HTTP/2 ${status}`];
    for (let i = 0; i + 1 < fields.length; i += 2) head.push(`${fields[i]}: ${fields[i + 1]}`);
    this.sampled(connection, method, status, '', head, body);
  }

  /** Judged once the body closed, on its status line, fields and first KiB. */
  private sampled(
    connection: MitmConnection,
    method: string,
    status: number,
    statusText: string,
    head: string[],
    body: Readable,
  ): void {
    let sample = '';
    const judge = () =>
      this.judge(connection, {
        request: `the app's ${method}`,
        status,
        statusText,
        head: `${head.join('\r\n')}\r\n\r\n${sample}`,
        end: 'response',
        error: null,
      });
    // A copy of the start of the page, beside the pipe to the app (as RequestLog counts bytes).
    body.on('data', (chunk: Buffer) => {
      if (sample.length < SAMPLE_BYTES) sample += chunk.subarray(0, SAMPLE_BYTES - sample.length).toString('latin1');
    });
    body.once('close', judge);
  }

  /** The exchange failed before any response: a close, reset or alert right after the app's request. */
  failed(
    connection: MitmConnection | undefined,
    method: string,
    error: Error & { code?: string },
    reusedSocket: boolean,
  ): void {
    // A pooled connection the server had closed while idle says nothing; neither does OpenSSL's refusal or a timeout.
    if (!watched(connection) || reusedSocket || error instanceof UpstreamRefusal) return;
    const text = `${error.code ?? ''} ${error.message}`;
    const end = /alert/i.test(text)
      ? 'alert'
      : /ECONNRESET|EPIPE/.test(text)
        ? 'reset'
        : /socket hang up/i.test(text)
          ? 'closed'
          : null;
    if (end) this.unanswered(connection, method, end, error.message);
  }

  /** The upstream ended the exchange before any response (an h2 stream reset or session close): `end` says how. */
  unanswered(connection: MitmConnection | undefined, method: string, end: HttpAnswer['end'], error: string): void {
    if (!watched(connection)) return;
    this.judge(connection, { request: `the app's ${method}`, status: null, statusText: '', head: '', end, error });
  }

  private judge(connection: MitmConnection, answer: HttpAnswer): void {
    const record = connection.record;
    if (this.amended.has(record)) return;
    const amended = withAppRefusal(record, answer);
    if (!amended) return;
    this.amended.add(record);
    this.recorder.amend(connection.target, connection.name?.recordAs, record, amended);
  }
}
