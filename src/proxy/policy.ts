// The user's proxy policy (mode, --passthrough, --on-upstream-error) and whether an upstream is acceptable; pure.
import { isIP } from 'node:net';
import type { HandshakeRecord, HostPort } from '../types.js';

export type Mode = 'mitm' | 'tunnel';
export type OnUpstreamError = 'block' | 'tunnel';

export interface PolicyOptions {
  mode: Mode;
  passthrough: PassthroughPattern[];
  onUpstreamError: OnUpstreamError;
  /** --complete-chains: an incomplete chain that its AIA issuer completes passes (as browsers do). */
  completeChains?: boolean;
}

/** Whether the proxy may talk to this upstream for the app: a careful client would accept it. */
export function upstreamAcceptable(options: Pick<PolicyOptions, 'completeChains'>, record: HandshakeRecord): boolean {
  // A handshake that failed (client certificate refused, alert, reset) cannot carry the app's requests
  // even when the chain verifies: blocking says why, instead of a bare 504 later.
  if (record.failure) return false;
  // OpenSSL refused a live connection to it (an amended record): nothing makes it acceptable again,
  // not even --complete-chains.
  if (record.verification.openssl?.ok === false) return false;
  // A key or signature that Node's level 1 accepts but a level-2 client (Debian's curl, Python) refuses:
  // forwarding it re-signed with a strong key would hide from the app what it refuses directly.
  if (record.verification.ok) return record.diagnosis.problem !== 'weak-crypto';
  return (
    !!options.completeChains &&
    record.diagnosis.problem === 'incomplete-chain' &&
    record.chainAnalysis.fetched?.completesChain === true
  );
}

export interface PassthroughPattern {
  /** Exact host, `*.`-suffix, or IP literal. */
  host: string;
  wildcard: boolean;
  port: number | null;
}

/**
 * SPEC: `api.example.com` exact; `*.example.com` any subdomain depth but not the apex; IP
 * literals; an optional `:port` (`[v6]:port` for IPv6).
 */
export function parsePassthrough(text: string): PassthroughPattern | null {
  const trimmed = text.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed)
    return isIP(bracketed[1]!) === 6
      ? { host: bracketed[1]!, wildcard: false, port: bracketed[2] ? Number(bracketed[2]) : null }
      : null;
  if (isIP(trimmed) === 6) return { host: trimmed, wildcard: false, port: null };
  const match = /^(\*\.)?([a-z0-9_.-]+?)(?::(\d{1,5}))?$/.exec(trimmed);
  if (!match || !match[2] || match[2].startsWith('.') || match[2].endsWith('.')) return null;
  const port = match[3] ? Number(match[3]) : null;
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { host: match[2], wildcard: !!match[1], port };
}

export function matchesPassthrough(patterns: PassthroughPattern[], target: HostPort): boolean {
  const host = target.host.toLowerCase();
  return patterns.some(
    (p) => (p.port === null || p.port === target.port) && (p.wildcard ? host.endsWith(`.${p.host}`) : host === p.host),
  );
}
