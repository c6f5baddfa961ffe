// Secrets in URLs: the userinfo, secret-looking query and fragment values, URLs nested in a value, and
// the same inside free text and proxy URLs. The shape stays (`?token=REDACTED&page=2`); pure.
import { isSecretName, looksLikeToken, REDACTED } from './secret-names.js';

/**
 * user:pass@ after any `scheme://`: greedy to the last '@' of the authority (passwords may contain '@').
 * The user goes too: a token is often the user name (`https://TOKEN@github.com`). Brackets are left
 * alone so IPv6 hosts and usage hints (`http://[user:pass@]host:port`) survive. Anchored on `://`, not
 * on the scheme, so the work stays linear in the length of hostile text.
 */
const USERINFO = /:\/\/[^\s/[\]]*@/g;

export function redactUserinfo(text: string): string {
  return text.includes('://') ? text.replace(USERINFO, '://***@') : text;
}

/** Nested URLs (`?next=/cb?code=...`, `redirect_uri=https%3A...`) are followed this deep. */
const MAX_DEPTH = 3;

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function redactValue(value: string, depth: number): string {
  if (looksLikeToken(value)) return REDACTED;
  if (depth >= MAX_DEPTH || !/[?#@%]/.test(value)) return value;
  const raw = redactUrlAt(value, depth + 1);
  if (raw !== value) return raw;
  // A percent-encoded URL: re-encoded only when something in it had to go.
  const plain = decodeComponent(value);
  if (plain === value) return value;
  const redacted = redactUrlAt(plain, depth + 1);
  return redacted === plain ? value : encodeURIComponent(redacted);
}

/** `a=1&token=2;b=3`: each value under a secret-looking name replaced; separators and order kept. */
function redactParams(params: string, depth: number): string {
  if (!params.includes('=')) return params;
  return params
    .split(/([&;])/)
    .map((part, i) => {
      if (i % 2) return part;
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (value === '' || value === REDACTED) return part;
      return `${name}=${isSecretName(name) ? REDACTED : redactValue(value, depth)}`;
    })
    .join('');
}

/**
 * Path parameters (RFC 3986 3.3): servlet containers put the session in the path when cookies are off
 * (`/cart;jsessionid=...`), and that id is the login.
 */
function redactPathParams(path: string): string {
  if (!path.includes(';')) return path;
  return path.replace(/;([^;/?#=]*)=([^;/?#]*)/g, (param, name: string, value: string) =>
    value && value !== REDACTED && isSecretName(name) ? `;${name}=${REDACTED}` : param,
  );
}

/** After `?`, or a whole fragment: OAuth's implicit flow returns `#access_token=...` (RFC 6749 4.2.2). */
function redactQueryIn(text: string, depth: number): string {
  const q = text.indexOf('?');
  return q < 0 ? redactParams(text, depth) : `${text.slice(0, q + 1)}${redactParams(text.slice(q + 1), depth)}`;
}

function redactUrlAt(url: string, depth: number): string {
  const text = redactUserinfo(url).replace(/^\/\/[^\s/[\]]*@/, '//***@');
  const hash = text.indexOf('#');
  const head = hash < 0 ? text : text.slice(0, hash);
  const q = head.indexOf('?');
  const path = redactPathParams(q < 0 ? head : head.slice(0, q));
  const query = q < 0 ? path : `${path}?${redactParams(head.slice(q + 1), depth)}`;
  return hash < 0 ? query : `${query}#${redactQueryIn(text.slice(hash + 1), depth)}`;
}

/** Every secret a URL can hold sits after one of these: userinfo's '@', the query, the fragment, a path parameter. */
const SECRET_MARK = /[@?#;]/;

/** An absolute or relative URL (a Location may be `/cb?code=...`) with its secrets replaced. */
export function redactUrl(url: string): string {
  // Most URLs have none of them: each request's URL is redacted twice (the log and the event bus).
  return SECRET_MARK.test(url) ? redactUrlAt(url, 0) : url;
}

/** Trailing punctuation of a sentence is not part of the URL it ends. */
const TRAILING = new Set('.,:;!)]}>');

function trailingLength(word: string): number {
  let n = 0;
  while (n < word.length && TRAILING.has(word[word.length - 1 - n]!)) n++;
  return n;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL-looking word as the most lenient parser could read it: everything between `scheme://` (or the
 * start, without one) and the word's last '@' goes. WHATWG ends the authority at '/', '?' or '#', but
 * curl, Python and hand-written proxy settings take `http://user:pa/ss@proxy:8080` as user `user` with
 * password `pa/ss`, so a message quoting such a value must not show it; over-redacting a path that holds
 * an '@' (`/@scope/pkg`) is the accepted cost.
 */
export function redactAuthority(word: string): string {
  const scheme = SCHEME.exec(word)?.[0] ?? '';
  const at = word.lastIndexOf('@');
  if (at < scheme.length) return word;
  return `${scheme}***@${word.slice(at + 1)}`;
}

/** Free text (an error message, a header like Link or Refresh): every URL-looking word in it redacted. */
export function redactText(text: string): string {
  return text.replace(/[^\s"'<>`]+/g, (whole) => {
    // The authority rule from the word's `://` on: text before it (`url=`, `(`) is not a scheme.
    const start = whole.indexOf('://');
    const word = start < 0 ? whole : `${whole.slice(0, start)}${cutFrom(whole.slice(start))}`;
    if (!/[?#;]/.test(word)) return word;
    const cut = word.length - trailingLength(word);
    return `${redactUrl(word.slice(0, cut))}${word.slice(cut)}`;
  });
}

/** `://rest`: redactAuthority on it as if it had a scheme; `://[user:pass@]host`, a usage hint, stays. */
function cutFrom(rest: string): string {
  if (/^:\/\/\[[^\]@]*@\]/.test(rest) && rest.indexOf('@') === rest.lastIndexOf('@')) return rest;
  return redactAuthority(`x${rest}`).slice(1);
}

/** A proxy URL: its host and port kept; curl and Python also take `user:pass@host:port` without a scheme. */
export function redactProxyUrl(value: string): string {
  return redactUrl(redactAuthority(value));
}
