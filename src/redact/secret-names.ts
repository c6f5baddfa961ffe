// Which header names and query keys carry secrets, decided by the shape of the name (its words), not
// by a list of known headers, so a vendor's new `x-foo-api-key` is caught like `x-api-key`; pure.

/** What every redacted value becomes: plain ASCII, so a redacted URL stays a valid URL. */
export const REDACTED = 'REDACTED';

/** Anywhere in the name, separators removed: `x_amz_security_token`, `clientSecret`, `X-API-KEY`. */
const SECRET_PART =
  /token|secret|passw|apikey|accesskey|privatekey|masterkey|credential|signature|session|sessid|cookie|jwt|bearer|csrf|xsrf|saml|assertion/;

/**
 * A whole word of the name. Short words are matched whole so `keyword`, `monkey`, `codec` or `passenger`
 * stay visible: `code` (OAuth 2.0 authorization code, RFC 6749 4.1.2), `sig` (Azure SAS, CloudFront),
 * `sid`, `key` (`ocp-apim-subscription-key`, Google's `key=`), `pass`, `pw`, `pwd`, `otp`, `hmac`, `ticket` (CAS).
 */
const SECRET_WORD = /^(code|key|keys|sig|sid|pass|passcode|passphrase|pw|pwd|otp|pin|hmac|ticket)$/;

/** `auth`, `authz`, `authorization`, `authenticate`, `authkey`, `oauth…`: but `author(s)` and `authority` are not secrets. */
const AUTH_WORD = /^o?auth(?!or(s|ity)?$)/;

function decoded(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/** The words of a name: camelCase, dashes, underscores, dots, brackets and spaces all separate. */
export function nameWords(name: string): string[] {
  return decoded(name)
    .replace(/([a-z0-9])(?=[A-Z])/g, '$1 ')
    .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1 ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** A last word that describes a secret without being one: `token_type`, `token_type_hint`, `session_expires`, `token_url`. */
const DESCRIPTOR = /^(type|hint|expires|expiry|exp|ttl|lifetime|url|uri|endpoint|format|length)$/;

/** Header names and query keys repeat on every request: the verdicts are remembered, within bounds. */
const seen = new Map<string, boolean>();
const SEEN_MAX = 2000;

/** True when a value under this header name or query key should never be recorded. */
export function isSecretName(name: string): boolean {
  const known = seen.get(name);
  if (known !== undefined) return known;
  const secret = judge(name);
  if (name.length <= 100) {
    if (seen.size >= SEEN_MAX) seen.clear();
    seen.set(name, secret);
  }
  return secret;
}

function judge(name: string): boolean {
  const words = nameWords(name);
  if (words.length > 1 && DESCRIPTOR.test(words.at(-1)!)) return false;
  if (SECRET_PART.test(words.join(''))) return true;
  return words.some((word) => SECRET_WORD.test(word) || AUTH_WORD.test(word));
}

/**
 * A JSON Web Token (RFC 7519) anywhere in a value: a bearer credential whatever name it sits under.
 * Three dot-separated base64url parts, the first a JSON object (`eyJ` is `{"`); the last may be empty
 * (an unsecured JWT). Checked part by part, so the work stays linear in the length of hostile text.
 */
export function looksLikeToken(value: string): boolean {
  if (!value.includes('eyJ')) return false;
  for (const word of value.split(/[^A-Za-z0-9_.-]+/)) {
    const parts = word.split('.');
    for (let i = 0; i + 2 < parts.length; i++) {
      if (/eyJ[A-Za-z0-9_-]{4}/.test(parts[i]!) && /^[A-Za-z0-9_-]{4,}$/.test(parts[i + 1]!)) return true;
    }
  }
  return false;
}
