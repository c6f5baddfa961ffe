// Splitting PEM bundles into DER certificates; pure.

const PEM_BLOCK = /-----BEGIN (TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (TRUSTED )?CERTIFICATE-----/g;

/** Every CERTIFICATE block of a PEM text, as DER. Other blocks (keys, CRLs) are skipped. */
export function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const der = Buffer.from(match[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    if (der.length > 0) out.push(der);
  }
  return out;
}

/** One certificate as PEM, 64 characters a line (RFC 7468). */
export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
