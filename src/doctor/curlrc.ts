// The curl tool's config file: where curl looks for it, and the lines that matter to trust.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CurlrcFacts, Env } from './snapshot.js';

/** curl's order (tool_findfile.c): $CURL_HOME, $XDG_CONFIG_HOME, $HOME; the first file found is the one read. */
export function curlrcCandidates(env: Env): string[] {
  const out: string[] = [];
  if (env.CURL_HOME) out.push(join(env.CURL_HOME, '.curlrc'));
  if (env.XDG_CONFIG_HOME) out.push(join(env.XDG_CONFIG_HOME, 'curlrc'), join(env.XDG_CONFIG_HOME, '.curlrc'));
  if (env.HOME) out.push(join(env.HOME, '.curlrc'));
  return out;
}

/** Long options with or without dashes, `-k`, values after `=`, `:` or blanks, optionally quoted. */
export function parseCurlrc(path: string, text: string): CurlrcFacts {
  const facts: CurlrcFacts = { path, insecure: false, cacert: null, capath: null };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:--?)?([a-z][a-z0-9-]*)(?:\s*[=:]\s*|\s+)?(.*)$/i.exec(line);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    const value = match[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (name === 'k' || name === 'insecure') facts.insecure = true;
    else if (name === 'no-insecure') facts.insecure = false;
    else if (name === 'cacert' && value) facts.cacert = value;
    else if (name === 'capath' && value) facts.capath = value;
  }
  return facts;
}

export async function readCurlrc(env: Env): Promise<CurlrcFacts | null> {
  for (const path of curlrcCandidates(env)) {
    try {
      return parseCurlrc(path, await readFile(path, 'utf8'));
    } catch {
      // not there: the next candidate
    }
  }
  return null;
}
