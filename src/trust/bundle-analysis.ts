// What a certificate file or bundle holds as a chain: in order, complete, extras, validity; pure.
import type { ParsedCertificate } from './certificate.js';
import { buildPath } from './verify.js';

export interface BundleAnalysis {
  inOrder: boolean;
  /** The chain from the first certificate reaches a self-signed root inside the file. */
  complete: boolean;
  problems: string[];
}

export function analyseBundle(certs: ParsedCertificate[], now: Date): BundleAnalysis {
  const problems: string[] = [];
  certs.forEach((cert, i) => {
    if (now > cert.notAfter) problems.push(`certificate ${i} (${cert.subject}) expired on ${cert.notAfter.toISOString()}`);
    else if (now < cert.notBefore) problems.push(`certificate ${i} (${cert.subject}) is valid only from ${cert.notBefore.toISOString()}`);
  });
  if (certs.length < 2) return { inOrder: true, complete: certs[0]?.selfSigned ?? false, problems };
  const { path } = buildPath(certs, [], now);
  const onPath = path.map((node) => node.sentIndex).filter((i): i is number => i !== null);
  // As for a served chain: disorder is the path going backwards; strays are counted apart.
  const inOrder = onPath.every((index, i) => i === 0 || index > onPath[i - 1]!);
  const top = path[path.length - 1]!.cert;
  const complete = top.selfSigned;
  if (!inOrder) problems.push(`wrong order: the chain runs ${onPath.join(' -> ')}; each certificate should be followed by its issuer`);
  // Ending without the root is normal (fullchain.pem): the root lives in trust stores. A certificate
  // the chain never reaches is a gap in the middle, or one that does not belong.
  const extras = certs.map((_, i) => i).filter((i) => !onPath.includes(i));
  if (extras.length) problems.push(`missing link or unrelated certificate: certificate(s) ${extras.join(', ')} are not on the chain from certificate 0, which ends at "${top.subject}"`);
  return { inOrder, complete, problems };
}
