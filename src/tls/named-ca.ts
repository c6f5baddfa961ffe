// Whether the client certificate we presented is the one the server asked for: issued by a CA named
// in its CertificateRequest (or it named none); when it is, the probe sends no HTTP request as that identity.
import type { TLSSocket } from 'node:tls';
import { formatNameDer, ParsedCertificate } from '../trust/certificate.js';
import { pemCertificates } from '../trust/pem.js';
import type { ClientCredentials } from './probe.js';
import type { ServerFlight } from './server-flight.js';

/** A certificate from a CA the server named is the one it asked for: nothing is sent as that identity. */
export function presentedAsked(
  socket: TLSSocket,
  client: ClientCredentials | null,
  flight: ServerFlight | null,
): boolean {
  return !!client && issuedByNamedCa(socket, client, flight?.certificateRequest?.caNames ?? []);
}

/**
 * Whether the certificate we presented, or one sent with it, was issued by a CA the server named in
 * its CertificateRequest (or it named none, so any could do).
 */
function issuedByNamedCa(socket: TLSSocket, client: ClientCredentials, caNames: Buffer[]): boolean {
  if (!caNames.length) return true;
  const named = new Set(
    caNames.map((der) => {
      try {
        return formatNameDer(der);
      } catch {
        return '';
      }
    }),
  );
  const ours = socket.getX509Certificate();
  const ders: Buffer[] = ours ? [ours.raw] : [];
  if (client.cert) ders.push(...pemCertificates(client.cert.toString()));
  return ders.some((der) => {
    try {
      return named.has(new ParsedCertificate(der).issuer);
    } catch {
      return false;
    }
  });
}
