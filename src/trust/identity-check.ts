// Node's checkServerIdentity, without its one avoidable cost: it asks node:net's isIP, whose IPv6 expression
// tls.connect has already run once for the servername, and V8 compiles a regular expression to machine code on its
// second run (~1.5 ms for this very large one, once per process: a whole inspect run). Here isIP is answered by
// ipFamily, which gives the same answer for every string, for the length of the (synchronous) call.
import net from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { ipFamily } from '../ip.js';

export function nodeIdentityCheck(name: string, peer: PeerCertificate): Error | undefined {
  const isIP = net.isIP;
  net.isIP = ipFamily;
  try {
    return checkServerIdentity(name, peer);
  } finally {
    net.isIP = isIP;
  }
}
