// Node's checkServerIdentity, without its one avoidable cost: it asks node:net's isIP, whose very large IPv6
// expression V8 compiles on its first run (~5 ms in a fresh process) and to machine code on its second; here
// isIP is answered by ipFamily (withCheapIsIP), which gives the same answer for every string.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { withCheapIsIP } from '../ip.js';

export function nodeIdentityCheck(name: string, peer: PeerCertificate): Error | undefined {
  return withCheapIsIP(() => checkServerIdentity(name, peer));
}
