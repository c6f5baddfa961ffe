// The certificates in a certs-only PKCS#7 / CMS SignedData (RFC 5652 5.1), as an AIA caIssuers URL
// may serve them (RFC 5280 4.2.2.1). Pure; each certificate is returned byte for byte as it was sent.
import { decodeOid, DerError, readTlv, type Tlv } from './der.js';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
// ContentInfo, [0], SignedData, [0] certificates and a little to spare.
const MAX_INDEFINITE_DEPTH = 8;

/**
 * One element, allowing BER's indefinite length on constructed wrappers: streaming CMS encoders
 * (OpenSSL's -stream, Bouncy Castle's BER generators) write SignedData that way, while the
 * certificates inside stay DER (RFC 5652 10.2.2 keeps their original encoding).
 */
function readElement(data: Buffer, offset: number, depth = 0): { tlv: Tlv; next: number } {
  if (offset + 2 <= data.length && data[offset + 1] === 0x80) {
    const tag = data[offset]!;
    if (!(tag & 0x20)) throw new DerError('indefinite length on a primitive element');
    // The body comes from the network: bound the nesting rather than the call stack.
    if (depth >= MAX_INDEFINITE_DEPTH) throw new DerError('indefinite lengths nested too deep');
    let cursor = offset + 2;
    // Contents run to the end-of-contents octets 00 00 (X.690 8.1.3.6).
    while (!(data[cursor] === 0 && data[cursor + 1] === 0)) {
      if (cursor + 2 > data.length) throw new DerError('indefinite length without end-of-contents');
      cursor = readElement(data, cursor, depth + 1).next;
    }
    return {
      tlv: { tag, whole: data.subarray(offset, cursor + 2), value: data.subarray(offset + 2, cursor) },
      next: cursor + 2,
    };
  }
  return readTlv(data, offset);
}

function elements(value: Buffer): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = 0; offset < value.length;) {
    const { tlv, next } = readElement(value, offset);
    out.push(tlv);
    offset = next;
  }
  return out;
}

/** The certificates field of a ContentInfo holding SignedData; throws DerError when it is not one. */
export function pkcs7Certificates(der: Buffer): Buffer[] {
  const { tlv: info, next } = readElement(der, 0);
  if (info.tag !== 0x30 || next !== der.length) throw new DerError('not a single ContentInfo SEQUENCE');
  const [contentType, content] = elements(info.value);
  if (contentType?.tag !== 0x06 || decodeOid(contentType.value) !== SIGNED_DATA)
    throw new DerError('ContentInfo does not hold SignedData');
  if (content?.tag !== 0xa0) throw new DerError('ContentInfo has no [0] content');
  const [signedData] = elements(content.value);
  if (signedData?.tag !== 0x30) throw new DerError('SignedData is not a SEQUENCE');
  // version, digestAlgorithms, encapContentInfo, then certificates [0] IMPLICIT when present.
  const certificateSet = elements(signedData.value)
    .slice(3)
    .find((field) => field.tag === 0xa0);
  if (!certificateSet) return [];
  // CertificateChoices: a plain Certificate is a SEQUENCE; the tagged alternatives (extended,
  // attribute certificates, other formats) are not X.509 certificates and are left out.
  return elements(certificateSet.value)
    .filter((choice) => choice.tag === 0x30)
    .map((choice) => Buffer.from(choice.whole));
}
