// Redaction of secrets in what the proxy records; pure.

const SECRET_PARAM = /token|key|sig|secret|pass(word|wd)?|pwd|auth|session|credential|code|jwt|bearer/i;

/** A URL with the values of secret-looking query parameters replaced by "REDACTED". */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const hash = url.indexOf('#', query);
  const end = hash < 0 ? url.length : hash;
  const params = url
    .slice(query + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep it as sent
      }
      return SECRET_PARAM.test(name) ? `${pair.slice(0, eq)}=REDACTED` : pair;
    });
  return `${url.slice(0, query + 1)}${params.join('&')}${url.slice(end)}`;
}

/** Headers whose values are credentials: recorded by name only. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token)$/i;

/** Raw header pairs ([name, value, name, value...] as Node gives them) with secret values replaced. */
export function redactHeaders(raw: string[]): Array<{ name: string; value: string }> {
  const headers: Array<{ name: string; value: string }> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    headers.push({ name, value: SECRET_HEADER.test(name) ? 'REDACTED' : raw[i + 1]! });
  }
  return headers;
}
