// A Duplex between a socket and tls.connect that keeps a copy of what the server sends during the
// handshake. A native net.Socket handed to tls.connect is read natively and shows no bytes; a JS
// stream in between does (measured on Node 20). The copy is bounded. A gate can hold the server's
// bytes back from TLS until it says how far they may go (see anchor-gate.ts).
import { Duplex } from 'node:stream';

const MAX_RECORDED = 512 * 1024;

export class WireTap extends Duplex {
  private readonly chunks: Buffer[] = [];
  private recorded = 0;
  private recording = true;
  /** Given everything received so far, how many bytes may reach TLS; null once it lets all through. */
  private gate: ((received: Buffer) => number | null) | null = null;
  private readonly held: Buffer[] = [];
  /** Bytes received and bytes passed on to TLS, from the start. */
  private receivedBytes = 0;
  private passedBytes = 0;

  constructor(
    private readonly inner: Duplex,
    head: Buffer = Buffer.alloc(0),
    /**
     * For traffic connections: a server's end is read to the last byte before the tap closes, and what
     * TLS writes after the server closed (its close_notify after a Connection: close response) is
     * dropped instead of failing. The probe keeps the old ways (closed at once, a write fails), which is
     * how it sees a server that refused its client certificate and closed before the HTTP ask.
     */
    private readonly quietAfterClose = false,
  ) {
    super();
    if (head.length) {
      this.keep(head);
      this.receivedBytes = this.passedBytes = head.length;
      this.push(head);
    }
    inner.on('data', (chunk: Buffer) => {
      this.keep(chunk);
      this.receivedBytes += chunk.length;
      if (this.gate) {
        this.held.push(chunk);
        this.release();
      } else {
        this.passedBytes += chunk.length;
        if (!this.push(chunk)) inner.pause();
      }
    });
    let ended = false;
    inner.on('end', () => {
      ended = true;
      this.push(null);
    });
    inner.on('error', (error) => this.destroy(error));
    // A server that ends the connection (Connection: close) after its last bytes: those still buffered
    // here or in TLS, held back while the reader is slow, are read before the tap closes (it does when
    // TLS is done with it), or the response is cut short.
    inner.on('close', () => {
      if (!this.destroyed && !(ended && this.quietAfterClose)) this.destroy();
    });
  }

  private keep(chunk: Buffer): void {
    if (!this.recording) return;
    const room = MAX_RECORDED - this.recorded;
    if (room <= 0) {
      this.recording = false;
      return;
    }
    const slice = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(Buffer.from(slice));
    this.recorded += slice.length;
  }

  /** Holds what the server sends from now on until `gate` lets it through; see release(). */
  setGate(gate: (received: Buffer) => number | null): void {
    this.gate = gate;
  }

  /** Asks the gate again (more bytes came, or what it waits for did) and passes on what it allows. */
  release(): void {
    if (!this.gate || this.destroyed) return;
    const received = this.received();
    // The copy stopped at its bound: the gate cannot judge what it does not see.
    const allowed = received.length < this.receivedBytes ? null : this.gate(received);
    if (allowed === null) this.gate = null;
    const upTo = allowed === null ? this.receivedBytes : Math.min(allowed, this.receivedBytes);
    if (upTo <= this.passedBytes) return;
    const pending = Buffer.concat(this.held.splice(0));
    const take = upTo - this.passedBytes;
    if (take < pending.length) this.held.push(pending.subarray(take));
    this.passedBytes = upTo;
    this.push(pending.subarray(0, take));
  }

  /** How many bytes the server has sent through the tap so far. */
  get bytesReceived(): number {
    return this.receivedBytes;
  }

  /** Everything the server sent so far (up to the bound). */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  stopRecording(): void {
    this.recording = false;
  }

  /** Stops keeping a copy and drops the one kept: from here on bytes only pass through. */
  forget(): void {
    this.recording = false;
    this.chunks.length = 0;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // The server has closed (see the constructor): TLS's close_notify has nowhere to go, as on a bare socket.
    if (this.quietAfterClose && (this.inner.destroyed || this.inner.writableEnded)) return callback();
    this.inner.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.inner.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
