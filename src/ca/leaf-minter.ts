// Leaf certificates for the MITM: one EC P-256 key for every host (as mitmproxy reuses one key),
// so a new host costs one native signature, never a key generation; contexts kept in an LRU, and
// contexts already holding that key made ahead while the proxy is quiet (after a response went out,
// see spareTime), so a new host's context only reads its certificate.
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { buildLeafCertificate } from './leaf-certificate.js';
import type { LocalCa } from './local-ca.js';
import { subjectNameDer } from '../trust/certificate.js';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;
// Apple's limit for TLS server certificates issued after 2020-09-01 (398 days); one day of margin.
const LEAF_DAYS = 397;
const MAX_NAMES = 100;
/** Contexts holding the leaves' key kept ready (~41 KB each): a burst of new hosts past them pays the key as before. */
export const SPARE_KEYED = 4;
/**
 * How long after a mint the spare contexts are made again when no response went out before (spareTime):
 * past the new host's own handshakes with the app and the upstream (5-15 ms on loopback), whose CPU the
 * ~0.8 ms per context would otherwise delay.
 */
const REFILL_DELAY_MS = 25;

/** Node's native context under a SecureContext (typed `any` in @types/node). */
interface NativeContext {
  setCert(pem: string): void;
  setKey(pem: string): void;
}

export class LeafMinter {
  private readonly contexts = new Map<string, SecureContext>();
  private readonly pending = new Map<string, Promise<SecureContext>>();
  // Leaves name their issuer with exactly the bytes of the CA's subject (RFC 5280 7.1 name chaining).
  private readonly caSubjectDer: Buffer;
  // Read once: each read of X509Certificate.publicKey makes a new KeyObject, and its key identifier is cached per object.
  private readonly caPublicKey: KeyObject;
  /** Milliseconds each mint took, newest last (bounded), for measurements. */
  readonly mintTimes: number[] = [];
  /** Contexts that hold the leaves' key and no certificate yet (see keyedContext). */
  private readonly keyed: SecureContext[] = [];
  private refillTimer: NodeJS.Timeout | null = null;
  /** True from the first turn of a refill to its last. */
  private refilling = false;
  /** A context made on one turn of a refill whose key is read on the next (see refill). */
  private unkeyed: SecureContext | null = null;
  private readonly fillWaiters: Array<() => void> = [];

  private constructor(
    private readonly ca: LocalCa,
    private readonly key: { publicKey: KeyObject; privateKey: KeyObject; pem: string },
    private readonly capacity: number,
    private readonly refillDelayMs: number,
  ) {
    this.caSubjectDer = subjectNameDer(ca.cert.der);
    this.caPublicKey = ca.cert.x509.publicKey;
  }

  static async create(ca: LocalCa, capacity = 1000, refillDelayMs = REFILL_DELAY_MS): Promise<LeafMinter> {
    const { publicKey, privateKey } = await generate('ec', { namedCurve: 'prime256v1' });
    return new LeafMinter(
      ca,
      { publicKey, privateKey, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      capacity,
      refillDelayMs,
    );
  }

  /** A context whose certificate names `names` (DNS names and IP addresses), the first as CN. */
  contextFor(names: string[]): Promise<SecureContext> {
    const unique = [...new Set(names.map((n) => n.toLowerCase()))].slice(0, MAX_NAMES);
    const key = unique.join(',');
    const hit = this.contexts.get(key);
    if (hit) {
      // LRU: move to the newest end
      this.contexts.delete(key);
      this.contexts.set(key, hit);
      return Promise.resolve(hit);
    }
    let minting = this.pending.get(key);
    if (!minting) {
      minting = this.mint(unique).then((context) => {
        this.pending.delete(key);
        this.contexts.set(key, context);
        if (this.contexts.size > this.capacity) this.contexts.delete(this.contexts.keys().next().value!);
        return context;
      });
      minting.catch(() => this.pending.delete(key));
      this.pending.set(key, minting);
    }
    return minting;
  }

  private async mint(names: string[]): Promise<SecureContext> {
    const started = performance.now();
    const now = Date.now();
    const caNotAfter = this.ca.cert.notAfter.getTime();
    const built = await buildLeafCertificate({
      // RFC 5280's upper bound for a common name is 64 characters.
      commonName: names[0]!.slice(0, 64),
      issuerNameDer: this.caSubjectDer,
      notBefore: new Date(now - DAY),
      notAfter: new Date(Math.min(now + LEAF_DAYS * DAY, caNotAfter)),
      publicKey: this.key.publicKey,
      signingKey: this.ca.key,
      issuerPublicKey: this.caPublicKey,
      dnsNames: names.filter((n) => !isIP(n)),
      ipAddresses: names.filter((n) => isIP(n)),
    });
    // The signature comes back from the pool as the app's ClientHello arrives, in the same turn: the
    // certificate (~0.35 ms) is read after that turn's I/O, so that the ClientHello's upstream dial goes first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const context = this.keyedContext();
    // The key is set before the certificate here, which OpenSSL allows when they match (SSL_CTX_use_certificate
    // keeps a key that fits the new certificate), and every leaf carries this very key.
    (context.context as NativeContext).setCert(built.pem);
    this.mintTimes.push(performance.now() - started);
    if (this.mintTimes.length > 1000) this.mintTimes.shift();
    return context;
  }

  /** How many contexts holding the key are ready (for tests and measurements). */
  get spareContexts(): number {
    return this.keyed.length;
  }

  /**
   * Prepares the spare contexts, so the first new host finds them ready too. The proxy calls it once it
   * listens: made while it started (~3 ms of CPU), they delayed its listening.
   */
  prepare(): void {
    this.scheduleRefill();
  }

  /** Resolves once SPARE_KEYED contexts are ready (for tests and measurements); prepares them meanwhile. */
  filled(): Promise<void> {
    if (this.keyed.length >= SPARE_KEYED) return Promise.resolve();
    this.scheduleRefill();
    return new Promise((resolve) => this.fillWaiters.push(resolve));
  }

  /**
   * A context with the leaves' key in it. Making the SSL_CTX and reading the key (OpenSSL 3's PEM
   * decoders) cost ~0.8 of the ~1.4 ms of CPU a context costs (measured, Node 20), the same for every
   * host: done ahead, once the proxy is quiet, rather than while an app waits.
   */
  private keyedContext(): SecureContext {
    const context = this.keyed.pop() ?? createSecureContext({ key: this.key.pem });
    this.scheduleRefill();
    return context;
  }

  /**
   * The proxy has just sent an app a response: the spares are made now, on the next turns, when the
   * host's handshakes this thread served are over. Back to back new hosts (an app opening one host after
   * another) leave no quiet 25 ms, and a fixed delay then put the ~0.8 ms of CPU per context inside the
   * next host's handshakes; after a response it meets at most the app's next request or CONNECT, in two halves.
   */
  spareTime(): void {
    if (this.refilling || this.keyed.length >= SPARE_KEYED || this.pending.size > 0) return;
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
    this.refilling = true;
    setImmediate(() => this.refill()).unref();
  }

  /** Fills the spares REFILL_DELAY_MS from now: on the event loop right after a mint, it delayed that host's handshakes. */
  private scheduleRefill(): void {
    if (this.refillTimer || this.refilling || this.keyed.length >= SPARE_KEYED) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = null;
      this.refilling = true;
      this.refill();
    }, this.refillDelayMs).unref();
  }

  /**
   * Half a context per turn of the event loop (OpenSSL's SSL_CTX on one, the key on the next, ~0.4 ms
   * each), so that a request or handshake arriving meanwhile waits for half; none while a mint is under
   * way (a new host's handshakes are).
   */
  private refill(): void {
    if (this.pending.size > 0) {
      this.refilling = false;
      return this.scheduleRefill();
    }
    if (this.unkeyed) {
      (this.unkeyed.context as NativeContext).setKey(this.key.pem);
      this.keyed.push(this.unkeyed);
      this.unkeyed = null;
    } else if (this.keyed.length < SPARE_KEYED) this.unkeyed = createSecureContext();
    if (this.unkeyed || this.keyed.length < SPARE_KEYED) return void setImmediate(() => this.refill()).unref();
    this.refilling = false;
    for (const resolve of this.fillWaiters.splice(0)) resolve();
  }
}
