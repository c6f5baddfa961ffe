// A certificate from a record, decoded as text for people who cannot run openssl; pure.
import type { ChainEntry } from '../types.js';
import { safeLines } from './terminal-safe.js';

const DAY = 86_400_000;

export function validityState(entry: Pick<ChainEntry, 'notBefore' | 'notAfter'>, now: Date): string {
  if (Date.parse(entry.notBefore) > now.getTime()) return 'NOT YET VALID';
  const left = Math.floor((Date.parse(entry.notAfter) - now.getTime()) / DAY);
  return left < 0 ? `EXPIRED ${-left} days ago` : `${left} days left`;
}

export function certificateText(entry: ChainEntry, now: Date): string {
  const bc = entry.basicConstraints;
  const lines = [
    `Subject:             ${entry.subject}`,
    `Issuer:              ${entry.issuer}`,
    `Serial number:       ${entry.serialNumber}`,
    `Not before:          ${entry.notBefore}`,
    `Not after:           ${entry.notAfter} (${validityState(entry, now)})`,
    `Subject alt names:   ${entry.san.length ? entry.san.join(', ') : '(none)'}`,
    `Public key:          ${entry.keyType} ${entry.keyBits ?? '?'} bits`,
    `Signature algorithm: ${entry.signatureAlgorithm}`,
    `Basic constraints:   ${bc.present ? `${bc.critical ? 'critical, ' : ''}CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathLen !== null ? `, pathlen:${bc.pathLen}` : ''}` : '(absent)'}`,
    `Key usage:           ${entry.keyUsage?.join(', ') ?? '(absent)'}`,
    `Extended key usage:  ${entry.extKeyUsage?.join(', ') ?? '(absent)'}`,
    `Subject key id:      ${entry.subjectKeyId ?? '(absent)'}`,
    `Authority key id:    ${entry.authorityKeyId ?? '(absent)'}`,
    `CA issuers (AIA):    ${entry.aia.caIssuers.join(', ') || '(none)'}`,
    `OCSP (AIA):          ${entry.aia.ocsp.join(', ') || '(none)'}`,
    `Role:                ${entry.isCA ? 'CA' : 'leaf'}${entry.selfSigned ? ', self-signed' : ''}`,
    `SHA-256 fingerprint: ${entry.sha256}`,
    `SHA-1 fingerprint:   ${entry.sha1}`,
    `SPKI SHA-256:        ${entry.spkiSha256}`,
  ];
  return `${safeLines(lines)}\n`;
}
