// When OpenSSL gets the probe's anchors: with its context (known at once, not gated), or at the gate once the
// server's chain has been read and, when they come as a promise, once the stores have loaded; the handshake
// has started meanwhile, and the server's Certificate waits in the tap (see anchor-gate.ts).
import type { SecureContext } from 'node:tls';
import { anchorGate } from './anchor-gate.js';
import type { FlightReader } from './flight-reader.js';
import { serverHandshakeSecret } from './tls13-decrypt.js';
import type { WireTap } from './wire-tap.js';

export interface ProbeAnchors {
  /** The anchor set (the record's trust stores): its native context is built once per process. */
  key: object;
  pems(): string[];
  /**
   * The anchors OpenSSL could reach from this chain (trust/anchor-closure.ts). When given, the probe
   * holds the server's Certificate back until it has read the chain, and gives OpenSSL only these:
   * the same verdict, without parsing every root on every run (tens of ms, more than the handshake).
   */
  reachable?(chain: Buffer[]): string[];
  /** Checked with checkServerIdentity once OpenSSL accepts the chain, as tls.connect does; null checks none. */
  name: string | null;
}

export class AnchorHold {
  /** Known once loaded (at once when not given as a promise); null while loading, or when there are none. */
  anchors: ProbeAnchors | null;
  /** Given to OpenSSL at the gate rather than with the context. */
  readonly gated: boolean;
  private waiting: boolean;

  /** @param verdict false at security level 0, where OpenSSL's verdict is not taken (nothing to gate) */
  constructor(
    private readonly given: ProbeAnchors | Promise<ProbeAnchors> | null,
    verdict: boolean,
  ) {
    this.anchors = given instanceof Promise ? null : given;
    this.waiting = given instanceof Promise;
    this.gated = verdict && (this.waiting || this.anchors?.reachable !== undefined);
  }

  /** The anchors for the context itself: none when they go in at the gate. */
  get forContext(): ProbeAnchors | null {
    return this.gated ? null : this.anchors;
  }

  /** Holds the server's bytes in `tap` until OpenSSL has been given the anchors in `context` (when gated). */
  gate(tap: WireTap, keylog: string[], context: SecureContext, read: FlightReader): void {
    if (!this.gated) return;
    const native = (context.context ?? {}) as { addCACert?(pem: string): void };
    if (typeof native.addCACert !== 'function') {
      // A Node whose native context takes no anchors once made (docs/design.md, Node internals it relies
      // on): no OpenSSL verdict, as without anchors; tlswitness's own verification judges the chain still.
      this.anchors = null;
      if (this.given instanceof Promise) this.given.catch(() => null);
      return;
    }
    tap.setGate((received) => {
      const state = anchorGate(received, serverHandshakeSecret(keylog), read);
      if (!state.open) return state.allowed;
      // The stores are still loading: what came before the Certificate has passed, the rest waits.
      if (this.waiting) return 0;
      const anchors = this.anchors;
      if (!anchors) return null;
      const pems = state.chain && anchors.reachable ? anchors.reachable(state.chain) : anchors.pems();
      // One PEM string: Node's native addCACert reads every certificate in it.
      if (pems.length) native.addCACert!(pems.join('\n'));
      return null;
    });
    if (this.given instanceof Promise) {
      this.given
        .then(
          (loaded) => (this.anchors = loaded),
          // A store that failed to load is the caller's error to report: OpenSSL goes on without anchors.
          () => null,
        )
        .finally(() => {
          this.waiting = false;
          tap.release();
        });
    }
  }
}
