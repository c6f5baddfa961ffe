// The public suffix list parser, loaded on the first verdict that needs a host classified as public
// or internal: 200 KB that most verdicts never need. Kept once loaded (a long-running proxy).
import type { ParseHost } from '../diagnose/interception.js';

let loadedParser: ParseHost | null = null;

export async function loadHostParser(): Promise<ParseHost> {
  const module = await import('tldts');
  // Bundled, the CommonJS build lands under `default`.
  return (loadedParser = module.parse ?? (module as unknown as { default: { parse: ParseHost } }).default.parse);
}

/** The parser when an earlier verdict already loaded it, else null. */
export function hostParserIfLoaded(): ParseHost | null {
  return loadedParser;
}
