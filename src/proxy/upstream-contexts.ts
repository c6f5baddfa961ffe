// The upstream TLS contexts OpenSSL verifies traffic connections with: the same anchors as the record
// (never the local CA), built once per client identity; and, with --complete-chains, per set of
// intermediates fetched over AIA for a host whose chain only they complete.
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureVersion } from 'node:tls';
import type { ClientCredentials } from '../tls/probe.js';
import type { HandshakeRecord } from '../types.js';

/** Contexts with fetched intermediates (--complete-chains) kept: one per distinct set, as each costs as much as the default. */
const MAX_LINK_CONTEXTS = 64;

export interface ContextSettings {
  minVersion: SecureVersion;
  /** Every trust anchor (public, system, extra; never the local CA); read once. The proxy listens before the stores are loaded. */
  anchors(): string[] | Promise<string[]>;
}

/** What a --complete-chains context holds besides the defaults. */
export interface Completion {
  /** The intermediates fetched from AIA. */
  links: string[];
  /** The store certificates the completed path ends in (empty: every anchor). */
  anchors: string[];
}

export class UpstreamContexts {
  /**
   * One SecureContext per client identity, built once: passing `ca` to tls.connect() builds a context
   * per connection, and parsing every anchor (Mozilla's roots plus the OS store) took 36-70 ms of
   * event-loop time for each new upstream connection.
   */
  private defaultContext: SecureContext | null = null;
  private readonly clientContexts = new WeakMap<ClientCredentials, SecureContext>();
  /** Contexts that also hold a host's fetched intermediates, by client identity and those PEMs; oldest dropped first. */
  private readonly linkContexts = new Map<string, SecureContext>();
  private readonly clientIds = new WeakMap<ClientCredentials, number>();
  private nextClientId = 1;
  private anchorPems: string[] | null = null;
  private anchorLoading: Promise<void> | null = null;

  constructor(private readonly settings: ContextSettings) {}

  /**
   * Settles once the anchors are loaded (null: they are), so a connection waits for every store rather
   * than being verified against fewer. No context is built until a connection needs one: building the
   * default context parses every anchor (~2 MB of memory, tens of ms) that an idle proxy never uses.
   */
  ready(): Promise<void> | null {
    if (this.anchorPems) return null;
    if (!this.anchorLoading) {
      const anchors = this.settings.anchors();
      if (Array.isArray(anchors)) {
        this.anchorPems = anchors;
        return null;
      }
      this.anchorLoading = anchors.then(
        (pems) => {
          this.anchorPems = pems;
        },
        (error: unknown) => {
          this.anchorLoading = null;
          throw error;
        },
      );
    }
    return this.anchorLoading;
  }

  /**
   * The context for connections with this client identity (none: the shared default). A host whose
   * chain only AIA completes (--complete-chains) gets one of its own, cached: the fetched
   * intermediates as links, and only the store certificates its recorded path ends in (a context
   * with every anchor costs 40-100 ms to build; a subset of the record's anchors is never more permissive).
   */
  contextFor(client: ClientCredentials | null, completion: Completion | null = null): SecureContext {
    if (completion) return this.linkContext(client, completion);
    if (!client) return (this.defaultContext ??= this.build(client, null));
    let context = this.clientContexts.get(client);
    if (!context) this.clientContexts.set(client, (context = this.build(client, null)));
    return context;
  }

  private linkContext(client: ClientCredentials | null, completion: Completion): SecureContext {
    let id = 0;
    if (client) {
      id = this.clientIds.get(client) ?? this.nextClientId++;
      this.clientIds.set(client, id);
    }
    const key = `${id}\n${completion.links.join('')}\n${completion.anchors.join('')}`;
    let context = this.linkContexts.get(key);
    if (context) this.linkContexts.delete(key);
    else context = this.build(client, completion);
    this.linkContexts.set(key, context);
    if (this.linkContexts.size > MAX_LINK_CONTEXTS) this.linkContexts.delete(this.linkContexts.keys().next().value!);
    return context;
  }

  private build(client: ClientCredentials | null, completion: Completion | null): SecureContext {
    const { minVersion } = this.settings;
    const anchors = this.anchorPems;
    if (!anchors) throw new Error('the trust stores are not loaded yet');
    return createSecureContext({
      // OpenSSL verifies each connection against the same anchors as the record (never the local CA).
      ca: completion ? [...(completion.anchors.length ? completion.anchors : anchors), ...completion.links] : anchors,
      minVersion,
      // TLS 1.0/1.1 (--tls-min, asked for explicitly) only work at OpenSSL 3's security level 0, as in the probe.
      ...(minVersion === 'TLSv1' || minVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      ...(client
        ? client.pfx
          ? { pfx: client.pfx, passphrase: client.passphrase }
          : { cert: client.cert, key: client.key }
        : {}),
    });
  }
}

/**
 * With --complete-chains, the intermediates fetched from AIA for a record that passes only because
 * they complete it: OpenSSL gets them for this host's connections, as links. Without
 * X509_V_FLAG_PARTIAL_CHAIN (Node does not set it) OpenSSL takes a store certificate that is not
 * self-issued only as a step towards a self-signed anchor, never as an anchor itself.
 */
export function completion(record: HandshakeRecord, accepted: boolean): Completion | null {
  const fetched = record.chainAnalysis.fetched;
  if (!accepted || record.verification.ok || !fetched?.completesChain) return null;
  // A self-issued certificate in the store would be an anchor (OpenSSL does not even check a
  // self-signed anchor's signature by default): what a URL in the server's certificate served is never one.
  const links = (fetched.pems ?? []).filter((pem) => {
    const cert = new X509Certificate(pem);
    return !sameName(cert.subject, cert.issuer);
  });
  return links.length ? { links, anchors: fetched.anchorPems ?? [] } : null;
}

/** Names compared roughly as OpenSSL does (case-folded, white space collapsed); erring towards "same" only excludes more. */
function sameName(a: string, b: string): boolean {
  const fold = (name: string) => name.toLowerCase().replace(/\s+/g, ' ').trim();
  return fold(a) === fold(b);
}
