// Where one CONNECT goes, decided from what is known at each step (the request, the app's first bytes,
// the upstream's record) and the policy; pure: the MITM front acts on the Decision.
import { isIP } from 'node:net';
import type { EventErrorCode } from '../errors.js';
import { formatHostPort } from '../host-port.js';
import { readClientHello } from '../tls/client-hello.js';
import type { HandshakeRecord, HostPort } from '../types.js';
import { parseConnectAuthority } from './connect-target.js';
import { matchesPassthrough, upstreamAcceptable, type PolicyOptions } from './policy.js';
import { upstreamName, type UpstreamName } from './upstream-name.js';

export type RefuseReason = 'unauthorized' | 'bad-target' | 'loop' | 'no-bytes' | 'bad-sni';

export type Decision =
  /** Closed; `status` is the answer when the proxy has not yet sent its 200, `code` the error event (none for a 407). */
  | {
      action: 'refuse';
      reason: RefuseReason;
      status: string | null;
      code: Extract<EventErrorCode, 'BAD_CONNECT' | 'LOOP' | 'CLIENT_ABORTED' | 'BAD_SNI'> | null;
      sni?: string | null;
    }
  /** Not TLS: the bytes are relayed untouched and nothing is recorded. */
  | { action: 'raw'; reason: 'not-tls' }
  /** TLS the user asked to leave alone (--passthrough): relayed, and recorded by a side probe. */
  | { action: 'passthrough'; reason: 'passthrough'; recordAs: string | undefined }
  /**
   * TLS relayed untouched: --mode tunnel or an app whose ALPN offers no HTTP the MITM speaks (recorded by a
   * side probe, as `recordAs`), or (--on-upstream-error tunnel) an upstream that fails, already recorded.
   */
  | { action: 'tunnel'; reason: 'mode' | 'other-protocol'; recordAs: string | undefined }
  | { action: 'tunnel'; reason: 'upstream-error' }
  /**
   * The app's TLS is terminated on a minted leaf for `name`. `early`: in block mode every verdict ends in
   * the proxy's own session (a pass or a block page), so the app's handshake runs while the upstream is
   * recorded; otherwise the record decides first. After the record, `blocked` says a block page answers.
   */
  | { action: 'mitm'; reason: 'early' | 'verified' | 'blocked' | 'after-record'; name: UpstreamName };

export type Refusal = Extract<Decision, { action: 'refuse' }>;

/** The CONNECT request itself, before the proxy answers 200: a target, or a refusal. */
export function routeConnectRequest(authority: string, authorized: boolean): { target: HostPort } | Refusal {
  if (!authorized)
    return { action: 'refuse', reason: 'unauthorized', status: '407 Proxy Authentication Required', code: null };
  const target = parseConnectAuthority(authority);
  if (!target) return { action: 'refuse', reason: 'bad-target', status: '400 Bad Request', code: 'BAD_CONNECT' };
  return { target };
}

/** A target that is this proxy itself (known after resolving it) would loop. */
export function routeLoop(self: boolean): Refusal | null {
  return self ? { action: 'refuse', reason: 'loop', status: '508 Loop Detected', code: 'LOOP' } : null;
}

/**
 * The name a session is most likely about, known before the app's first bytes: the CONNECT host, when
 * it is a name the policy terminates (most apps send it as their SNI). Null for an IP address (an app
 * that resolved the name itself sends that name) and for what is tunnelled or passed through.
 */
export function routeAhead(policy: PolicyOptions, target: HostPort): UpstreamName | null {
  if (policy.mode === 'tunnel' || isIP(target.host) || matchesPassthrough(policy.passthrough, target)) return null;
  return upstreamName(target, null);
}

/** The app sent nothing after the proxy's 200 (or closed the tunnel). */
export const NO_BYTES: Refusal = { action: 'refuse', reason: 'no-bytes', status: null, code: 'CLIENT_ABORTED' };

/** After the 200: the app's first bytes (null when none came in time) decide before the upstream is recorded. */
export function routeFirstBytes(policy: PolicyOptions, target: HostPort, first: Buffer | null): Decision {
  if (!first) return NO_BYTES;
  const hello = readClientHello(first);
  if (!hello.tls) return { action: 'raw', reason: 'not-tls' };
  // The one name this session is about: the app's SNI when it differs from the CONNECT host (see upstream-name.ts).
  const name = upstreamName(target, hello.serverName);
  // Tunnelled TLS is still recorded, by the side probe; the app verifies it itself.
  if (policy.mode === 'tunnel') return { action: 'tunnel', reason: 'mode', recordAs: name?.recordAs };
  if (matchesPassthrough(policy.passthrough, target))
    return { action: 'passthrough', reason: 'passthrough', recordAs: name?.recordAs };
  // The MITM speaks h2 and HTTP/1.1: an app that offers neither in ALPN (another protocol over TLS) is passed through.
  if (
    hello.alpn &&
    hello.alpn.length > 0 &&
    !hello.alpn.some((protocol) => protocol === 'h2' || protocol === 'http/1.1')
  )
    return { action: 'tunnel', reason: 'other-protocol', recordAs: name?.recordAs };
  if (!name) return { action: 'refuse', reason: 'bad-sni', status: null, code: 'BAD_SNI', sni: hello.serverName };
  return { action: 'mitm', reason: policy.onUpstreamError === 'block' ? 'early' : 'after-record', name };
}

/** After recording: a careful client would refuse what does not verify, so it is blocked or (by choice) tunnelled. */
export function routeRecord(policy: PolicyOptions, name: UpstreamName, record: HandshakeRecord): Decision {
  if (upstreamAcceptable(policy, record)) return { action: 'mitm', reason: 'verified', name };
  return policy.onUpstreamError === 'tunnel'
    ? { action: 'tunnel', reason: 'upstream-error' }
    : { action: 'mitm', reason: 'blocked', name };
}

/** The error event's text for a refusal (none for a 407: the normal first step of a client that has credentials). */
export function refusalMessage(refusal: Refusal, shown: string, target: HostPort | null, timeoutMs: number): string {
  const where = target ? formatHostPort(target) : shown;
  switch (refusal.reason) {
    case 'unauthorized':
      return `refused CONNECT ${where}: proxy credentials required`;
    case 'bad-target':
      return `refused CONNECT ${JSON.stringify(shown)}: expected host:port`;
    case 'loop':
      return `refused CONNECT ${where}: that is this proxy itself`;
    case 'no-bytes':
      return `CONNECT ${where}: the app closed the tunnel, or sent nothing for ${timeoutMs} ms, after the proxy's 200`;
    case 'bad-sni':
      return `CONNECT ${where}: the app's SNI ${JSON.stringify(refusal.sni?.slice(0, 100))} is not a DNS name, so no certificate can be checked for it; closed`;
  }
}
