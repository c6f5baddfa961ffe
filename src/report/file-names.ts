// File names derived from certificate subjects and host names: safe on every OS; pure.

const MAX_LENGTH = 64;

/** Letters, digits, dot, dash and underscore only; no leading dot; bounded length; never empty. */
export function safeFileName(text: string, fallback = 'unnamed'): string {
  const cleaned = text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, MAX_LENGTH)
    .replace(/[._-]+$/, '');
  // Windows refuses these names whatever the extension.
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(cleaned)) return `_${cleaned}`;
  return cleaned || fallback;
}

/** The part of a subject a person recognises: its CN, else its first attribute's value. */
export function subjectLabel(subject: string): string {
  const cn = /(?:^|,)\s*CN=((?:\\.|[^,])*)/.exec(subject);
  if (cn?.[1]) return cn[1].replace(/\\(.)/g, '$1');
  const first = /^[^=]*=((?:\\.|[^,])*)/.exec(subject);
  return first?.[1]?.replace(/\\(.)/g, '$1') ?? subject;
}

/** `chain/0-api.example.com.pem`: position first, so the files sort in the order they were sent. */
export function chainFileStem(index: number, subject: string): string {
  return `chain/${index}-${safeFileName(subjectLabel(subject), 'certificate')}`;
}
