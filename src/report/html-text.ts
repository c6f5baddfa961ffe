// Text from the network made safe inside an HTML page: markup characters as entities, control and
// bidi characters as visible escapes; pure.
import { oneLine } from './terminal-safe.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * For element text and quoted attribute values alike (OWASP XSS prevention, rules 1 and 2): `<`, `>`
 * and `&` cannot open markup, either quote cannot end an attribute. Controls go first, through the
 * same escaping the text outputs use: HTML parsers pass most C0 characters through, and bidi
 * overrides reorder what the reader sees (CVE-2021-42574) without changing a byte.
 */
export function esc(text: string | number | null | undefined): string {
  return oneLine(String(text ?? '')).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
