// A Duplex between a socket and tls.connect that keeps a copy of what the server sends during the
// handshake. A native net.Socket handed to tls.connect is read natively and shows no bytes; a JS
// stream in between does (measured on Node 20). The copy is bounded.
import { Duplex } from 'node:stream';

const MAX_RECORDED = 512 * 1024;

export class WireTap extends Duplex {
  private readonly chunks: Buffer[] = [];
  private recorded = 0;
  private recording = true;

  constructor(private readonly inner: Duplex, head: Buffer = Buffer.alloc(0)) {
    super();
    if (head.length) {
      this.keep(head);
      this.push(head);
    }
    inner.on('data', (chunk: Buffer) => {
      this.keep(chunk);
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (error) => this.destroy(error));
    inner.on('close', () => {
      if (!this.destroyed) this.destroy();
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

  /** Everything the server sent so far (up to the bound). */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  stopRecording(): void {
    this.recording = false;
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
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
