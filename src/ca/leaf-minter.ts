// Leaf certificates for the MITM: one EC P-256 key for every host (as mitmproxy reuses one key),
// so a new host costs one native signature, never a key generation. The leaves are kept as PEM in an
// LRU; each app connection gets its host's leaf from one context that holds the key, filled in as the
// connection's TLS socket is made (see contextWith), rather than from a context of its own per host.
import { constants, generateKeyPair, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createSecureContext, DEFAULT_CIPHERS, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import { LeafTemplate } from './leaf-certificate.js';
import type { LocalCa } from './local-ca.js';
import { subjectNameDer } from '../trust/certificate.js';

const generate = promisify(generateKeyPair);
const DAY = 86_400_000;
// Apple's limit for TLS server certificates issued after 2020-09-01 (398 days); one day of margin.
const LEAF_DAYS = 397;
const MAX_NAMES = 100;
/**
 * What the proxy offers the app: Node's list with TLS 1.3's AES-128-GCM first, in the proxy's order
 * (ChaCha20 for an app that prefers it, as one without AES instructions does). Node's order puts
 * AES-256-GCM first, which costs ~1.7x the CPU per byte (OpenSSL 3 here: 1.8 against 3.1 GB/s) on the
 * app's hop, a loopback or local link; AES-128-GCM is TLS 1.3's mandatory suite (RFC 8446 9.1), first
 * in Mozilla's recommended server configurations and in browsers' own offers.
 */
const APP_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  ...DEFAULT_CIPHERS.split(':').filter((suite) => suite !== 'TLS_AES_128_GCM_SHA256'),
].join(':');

/** What every context served to apps is made with, besides the key and leaf. */
const CONTEXT_OPTIONS = {
  ciphers: APP_CIPHERS,
  honorCipherOrder: true,
  secureOptions: constants.SSL_OP_PRIORITIZE_CHACHA,
};

/** Node's native context under a SecureContext (typed `any` in @types/node). */
interface NativeContext {
  setCert(pem: string): void;
  setSessionIdContext(context: string): void;
}

/** A minted leaf certificate, for contextWith. */
export interface MintedLeaf {
  readonly pem: string;
  /** Names this leaf's TLS sessions (OpenSSL's session id context): sessions resume under their own leaf only. */
  readonly sessions: string;
}

export class LeafMinter {
  private readonly leaves = new Map<string, MintedLeaf>();
  private readonly pending = new Map<string, Promise<MintedLeaf>>();
  /** What every leaf shares, written once. */
  private readonly template: LeafTemplate;
  /** Milliseconds each mint took, newest last (bounded), for measurements. */
  readonly mintTimes: number[] = [];
  /** The context every app connection is made from: the leaves' key, and the leaf last put in. */
  private keyed: SecureContext | null = null;
  /** The leaf that context holds. */
  private current: MintedLeaf | null = null;
  /** The current leaf's own context, where Node offers no setCert (contextWith); null otherwise. */
  private serving: SecureContext | null = null;
  /** Leaves minted so far, to name each one's sessions. */
  private minted = 0;

  private constructor(
    private readonly ca: LocalCa,
    private readonly key: { publicKey: KeyObject; privateKey: KeyObject; pem: string },
    private readonly capacity: number,
  ) {
    this.template = new LeafTemplate({
      // Leaves name their issuer with exactly the bytes of the CA's subject (RFC 5280 7.1 name chaining).
      issuerNameDer: subjectNameDer(ca.cert.der),
      publicKey: key.publicKey,
      signingKey: ca.key,
      issuerPublicKey: ca.cert.x509.publicKey,
    });
  }

  static async create(ca: LocalCa, capacity = 1000): Promise<LeafMinter> {
    const { publicKey, privateKey } = await generate('ec', { namedCurve: 'prime256v1' });
    return new LeafMinter(
      ca,
      // SEC 1 rather than PKCS #8: OpenSSL 3 reads it ~0.1 ms faster (no search for the key's type).
      { publicKey, privateKey, pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString() },
      capacity,
    );
  }

  /** The leaf naming `names` (DNS names and IP addresses), the first as CN: minted once per set of names. */
  leafFor(names: string[]): Promise<MintedLeaf> {
    const unique = [...new Set(names.map((n) => n.toLowerCase()))].slice(0, MAX_NAMES);
    const key = unique.join(',');
    const hit = this.leaves.get(key);
    if (hit) {
      // LRU: move to the newest end
      this.leaves.delete(key);
      this.leaves.set(key, hit);
      return Promise.resolve(hit);
    }
    let minting = this.pending.get(key);
    if (!minting) {
      minting = this.mint(unique).then((leaf) => {
        this.pending.delete(key);
        this.leaves.set(key, leaf);
        if (this.leaves.size > this.capacity) this.leaves.delete(this.leaves.keys().next().value!);
        return leaf;
      });
      minting.catch(() => this.pending.delete(key));
      this.pending.set(key, minting);
    }
    return minting;
  }

  /**
   * A context serving `leaf`, to make a TLS socket from at once, in the same turn: the next call puts
   * another leaf in. OpenSSL copies the context's certificate and key into each connection when the
   * socket is made (SSL_new), so a connection keeps its leaf whatever the context holds later.
   *
   * Why one context: a context of its own per host cost ~1.1 ms of CPU more per new host than this
   * (the context ~0.3 ms, reading the key into it ~0.5-0.8 ms, OpenSSL 3) and ~41 KB of memory each;
   * putting the leaf in (~0.35 ms, reading the certificate) is paid per app connection instead.
   */
  contextWith(leaf: MintedLeaf): SecureContext {
    const context = this.keyedContext();
    if (this.current === leaf) return this.serving ?? context;
    const native = (context.context ?? {}) as Partial<NativeContext>;
    if (typeof native.setCert !== 'function' || typeof native.setSessionIdContext !== 'function') {
      // A Node whose native context lacks them (docs/design.md, Node internals it relies on): a context
      // of the leaf's own, as the public API makes it (~1.1 ms more); its sessions are its own.
      this.serving = createSecureContext({ ...CONTEXT_OPTIONS, key: this.key.pem, cert: leaf.pem });
      this.current = leaf;
      return this.serving;
    }
    // The key is in before the certificate, which OpenSSL allows when they match (SSL_CTX_use_certificate
    // keeps a key that fits the new certificate), and every leaf carries this very key.
    native.setCert(leaf.pem);
    // One context is one session-ticket key for every host: an app could resume a session made with
    // host A when it connects to host B, and be shown A's leaf for B, which a server must not accept
    // (RFC 6066 3). OpenSSL copies this into each connection at SSL_new, as it does the certificate, and
    // resumes only sessions made under the same one; setting it costs ~0.15 µs.
    native.setSessionIdContext(leaf.sessions);
    this.current = leaf;
    return context;
  }

  /**
   * Puts `leaf` in ahead of its connection (once the proxy has answered the CONNECT, while the app
   * writes its ClientHello), so that contextWith has nothing left to do then, unless another
   * connection's leaf came in between.
   */
  prime(leaf: MintedLeaf): void {
    this.contextWith(leaf);
  }

  /** The leaf for `names`, minted (or found) and primed as soon as it is ready, for a connection to come. */
  ahead(names: string[]): void {
    // A failed mint, or a leaf OpenSSL will not read, is reported by the connection's own contextWith:
    // here it must not end up an unhandled rejection (which ends Node 20's process).
    this.leafFor(names)
      .then((leaf) => this.prime(leaf))
      .catch(() => undefined);
  }

  /** Makes the context holding the key (~1 ms of CPU) once the proxy listens, rather than for its first app. */
  prepare(): void {
    setImmediate(() => this.keyedContext()).unref();
  }

  private keyedContext(): SecureContext {
    return (this.keyed ??= createSecureContext({ ...CONTEXT_OPTIONS, key: this.key.pem }));
  }

  private async mint(names: string[]): Promise<MintedLeaf> {
    const started = performance.now();
    const now = Date.now();
    const caNotAfter = this.ca.cert.notAfter.getTime();
    const built = await this.template.build({
      // RFC 5280's upper bound for a common name is 64 characters.
      commonName: names[0]!.slice(0, 64),
      notBefore: new Date(now - DAY),
      notAfter: new Date(Math.min(now + LEAF_DAYS * DAY, caNotAfter)),
      dnsNames: names.filter((n) => !isIP(n)),
      ipAddresses: names.filter((n) => isIP(n)),
    });
    this.mintTimes.push(performance.now() - started);
    if (this.mintTimes.length > 1000) this.mintTimes.shift();
    return { pem: built.pem, sessions: `leaf ${++this.minted}` };
  }
}
