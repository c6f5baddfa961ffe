// The one name a MITM session is about: what the app will check (its SNI, else the CONNECT host),
// the SNI the upstream gets, and the only name minted into the app's leaf; pure.
//
// Decisions (SPEC "What `block` blocks": the minted leaf names only what was verified upstream):
// - SNI equal to the CONNECT host (case and a trailing dot aside): the host, as always.
// - SNI different from a CONNECT name (`curl --connect-to`, domain fronting: CONNECT good.test, SNI
//   bank.test): the app will believe the certificate is bank.test's, so the upstream at good.test's
//   address is recorded and verified with SNI bank.test and the name bank.test; only bank.test is minted.
// - CONNECT to an IP address with SNI (`--connect-to name::1.2.3.4:443`, clients that resolve
//   themselves): the same; the address is only where to connect, and is not minted.
// - No SNI: the CONNECT host is the name checked (a DNS name is still sent upstream as SNI, as a
//   client connecting to it would; an IP address gets none, RFC 6066 3) and the only name minted.
// - An SNI that is not a DNS name (an IP literal, which RFC 6066 3 forbids, or garbage) is refused:
//   nobody could say which name it asks for.
import { isIP } from 'node:net';
import type { HostPort } from '../types.js';

export interface UpstreamName {
  /** SNI sent upstream; null for none (an IP address without SNI). */
  servername: string | null;
  /** The name checked against the upstream certificate, and the only one minted for the app. */
  checked: string;
  /** The name the recording is keyed and probed with; undefined when it is the host's default. */
  recordAs: string | undefined;
}

const LABEL = /^[a-z0-9_-]{1,63}$/;

function normalise(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && !isIP(name) && name.split('.').every((label) => LABEL.test(label));
}

/** The name for a session: `sni` is the app's SNI (null when it sent none). Null: refuse the session. */
export function upstreamName(target: HostPort, sni: string | null): UpstreamName | null {
  const host = target.host;
  const hostDefault: UpstreamName = { servername: isIP(host) ? null : host, checked: host, recordAs: undefined };
  if (sni === null) return hostDefault;
  const name = normalise(sni);
  if (!isDnsName(name)) return null;
  if (name === normalise(host)) return hostDefault;
  return { servername: name, checked: name, recordAs: name };
}
