// Secrets in HTTP headers, by the family of the name: credentials keep only their auth scheme
// (`Bearer REDACTED`), cookies only their names and attributes, URL-valued headers (Referer, Location)
// their shape, and any other value its URLs redacted; pure.
import { isSecretName, looksLikeToken, REDACTED } from './secret-names.js';
import { redactText, redactUrl } from './url.js';

/** The scheme names a credential starts with (IANA HTTP Authentication Scheme Registry, plus AWS's and Azure's). */
const AUTH_SCHEME =
  /^(basic|bearer|digest|negotiate|ntlm|kerberos|hoba|mutual|scram-sha-1|scram-sha-256|vapid|dpop|gnap|privatetoken|concealed|token|oauth|aws4-hmac-sha256|aws|sharedkey|sharedkeylite|sharedaccesssignature|googlelogin)$/i;

/** Headers whose value is a URL reference, absolute or relative (RFC 9110 10.1.3, 10.2.2; 8.7). */
const URL_VALUED = /^(referer|location|content-location)$/i;

/** The server's challenge names the scheme and realm the app must answer; it is not a credential (RFC 9110 11.6.1). */
const CHALLENGE = /^(www-authenticate|proxy-authenticate)$/i;

/** `Bearer abc` becomes `Bearer REDACTED`: which scheme was used is what a troubleshooter needs. */
function credential(value: string): string {
  const scheme = /^\s*([A-Za-z0-9][A-Za-z0-9-]*)\s+\S/.exec(value)?.[1];
  return scheme && AUTH_SCHEME.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED;
}

/** `Cookie: a=1; b=2` becomes `a=REDACTED; b=REDACTED`. */
function cookiePairs(value: string): string {
  return value
    .split(';')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? (pair.trim() ? ` ${REDACTED}` : pair) : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join(';')
    .trim();
}

/** `Set-Cookie: sid=1; Path=/; HttpOnly` keeps its attributes: they say how the browser will keep it. */
function setCookie(value: string): string {
  const semi = value.indexOf(';');
  const first = semi < 0 ? value : value.slice(0, semi);
  const eq = first.indexOf('=');
  return `${eq < 0 ? REDACTED : `${first.slice(0, eq)}=${REDACTED}`}${semi < 0 ? '' : value.slice(semi)}`;
}

/** A part of a subprotocol that is a credential rather than a name: long, opaque, not all lowercase words. */
const opaquePart = (part: string) => /^[A-Za-z0-9_=+/-]{20,}$/.test(part) && /[A-Z0-9]/.test(part);

/**
 * Sec-WebSocket-Protocol lists subprotocol names, but it is also where a browser's WebSocket, which cannot
 * set Authorization, carries a credential: inside a member that names it (Kubernetes'
 * `base64url.bearer.authorization.k8s.io.<token>`: its opaque parts go), or as the member after one that
 * names it (`access_token, <token>`: that member goes).
 */
function subprotocols(value: string): string {
  let named = false;
  return value
    .split(',')
    .map((member) => {
      const name = member.trim();
      const after = named;
      named = false;
      if (!name) return member;
      if (after) return member.replace(name, REDACTED);
      if (!isSecretName(name.toLowerCase())) return member;
      const parts = name.split('.');
      if (!parts.some(opaquePart)) {
        named = true;
        return member;
      }
      return member.replace(name, parts.map((part) => (opaquePart(part) ? REDACTED : part)).join('.'));
    })
    .join(',');
}

export function redactHeaderValue(name: string, raw: string): string {
  const lower = name.toLowerCase();
  const value = lower === 'sec-websocket-protocol' ? subprotocols(raw) : raw;
  if (lower === 'cookie') return cookiePairs(value);
  if (lower === 'set-cookie' || lower === 'set-cookie2') return setCookie(value);
  if (CHALLENGE.test(lower)) return redactText(value);
  if (isSecretName(lower)) return credential(value);
  if (URL_VALUED.test(lower)) return redactUrl(value);
  // A credential under a name no rule knows (`X-Custom: Bearer eyJ...`) still goes.
  if (looksLikeToken(value) || AUTH_SCHEME.test(/^\s*(\S+)\s+\S/.exec(value)?.[1] ?? '')) return credential(value);
  return redactText(value);
}

/** Raw header pairs ([name, value, name, value...] as Node gives them), each value redacted by its name. */
export function redactHeaders(raw: string[]): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  for (let i = 0; i + 1 < raw.length; i += 2)
    headers.push({ name: raw[i]!, value: redactHeaderValue(raw[i]!, raw[i + 1]!) });
  return headers;
}
