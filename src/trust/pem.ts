// Splitting PEM bundles into DER certificates; pure.

const BEGIN = /-----BEGIN (TRUSTED )?CERTIFICATE-----/g;
const END = /-----END (TRUSTED )?CERTIFICATE-----/g;
// Node's base64 decoder skips line breaks itself, so a body holding only base64 and them is decoded as it
// is; anything else (spaces, headers, stray text, the URL-safe alphabet Node would also accept) is removed
// first. Copying every body without its line breaks was most of the cost of reading a store (~3 ms for
// Node's ~146 roots, at every start-up).
const NOT_BASE64_OR_BREAK = /[^A-Za-z0-9+/=\r\n]/;
const NOT_BASE64 = /[^A-Za-z0-9+/=]/g;

function decodeBody(body: string): Buffer {
  return Buffer.from(NOT_BASE64_OR_BREAK.test(body) ? body.replace(NOT_BASE64, '') : body, 'base64');
}

/**
 * Every CERTIFICATE block of a PEM text, as DER. Other blocks (keys, CRLs) are skipped, and so is a block
 * cut short (a BEGIN with another BEGIN before its END: the block starts at the last one). One pass: each
 * search starts where the last ended, so a file of BEGIN lines without an END costs linear time (a lazy
 * BEGIN…END regular expression rescans to the end of the text from every BEGIN).
 */
export function pemCertificates(text: string): Buffer[] {
  const out: Buffer[] = [];
  BEGIN.lastIndex = 0;
  let begin = BEGIN.exec(text);
  while (begin) {
    let start = BEGIN.lastIndex;
    END.lastIndex = start;
    const end = END.exec(text);
    // No END after this BEGIN: none after any later BEGIN either.
    if (!end) break;
    let next = BEGIN.exec(text);
    for (; next && next.index < end.index; next = BEGIN.exec(text)) start = BEGIN.lastIndex;
    const der = decodeBody(text.slice(start, end.index));
    if (der.length > 0) out.push(der);
    begin = next;
  }
  return out;
}

/** One certificate as PEM, 64 characters a line (RFC 7468). */
export function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
