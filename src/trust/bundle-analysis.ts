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
    if (now > cert.notAfter)
      problems.push(`certificate ${i} (${cert.subject}) expired on ${cert.notAfter.toISOString()}`);
    else if (now < cert.notBefore)
      problems.push(`certificate ${i} (${cert.subject}) is valid only from ${cert.notBefore.toISOString()}`);
  });
  if (certs.length < 2) return { inOrder: true, complete: certs[0]?.selfSigned ?? false, problems };
  const { start, onPath, top } = chainInFile(certs, now);
  // As for a served chain: disorder is the path going backwards; strays are counted apart.
  const inOrder = start === 0 && onPath.every((index, i) => i === 0 || index > onPath[i - 1]!);
  const complete = top.selfSigned;
  if (!inOrder) {
    const leafFirst =
      start === 0 ? '' : `the leaf "${certs[start]!.subject}" (certificate ${start}) should come first and `;
    problems.push(
      `wrong order: the chain runs ${onPath.join(' -> ')}; ${leafFirst}each certificate should be followed by its issuer`,
    );
  }
  // Ending without the root is normal (fullchain.pem): the root lives in trust stores. A certificate
  // the chain never reaches is a gap in the middle, or one that does not belong.
  const extras = certs.map((_, i) => i).filter((i) => !onPath.includes(i));
  if (extras.length)
    problems.push(
      `missing link or unrelated certificate: certificate(s) ${extras.join(', ')} are not on the chain from certificate ${start}, which ends at "${top.subject}"`,
    );
  return { inOrder, complete, problems };
}

/**
 * The chain the file holds, as file indices from its leaf up. The leaf is certificate 0 unless the chain
 * from another certificate runs through certificate 0 (an intermediate placed before its leaf): then the
 * longest such chain is the file's, and its start the leaf. A file of unrelated certificates keeps 0.
 */
function chainInFile(
  certs: ParsedCertificate[],
  now: Date,
): { start: number; onPath: number[]; top: ParsedCertificate } {
  const from = (start: number) => {
    const order = [start, ...certs.map((_, i) => i).filter((i) => i !== start)];
    const { path } = buildPath(
      order.map((i) => certs[i]!),
      [],
      now,
    );
    return {
      start,
      onPath: path
        .map((node) => node.sentIndex)
        .filter((i): i is number => i !== null)
        .map((i) => order[i]!),
      top: path[path.length - 1]!.cert,
    };
  };
  let best = from(0);
  for (let start = 1; start < certs.length; start++) {
    const chain = from(start);
    if (chain.onPath.includes(0) && (best.start === 0 || chain.onPath.length > best.onPath.length)) best = chain;
  }
  return best;
}
