// What a proxy's answer to CONNECT means, as a Failure: a refusal by status (407 names the auth
// scheme it wants) or an answer that could not be read as HTTP.
import type { ProxyFailureCode } from '../errors.js';
import type { Failure } from '../types.js';
import type { ProxySpec } from './connector.js';

/** Names what went wrong before a proxy's answer could be read: llhttp's parse errors are HPE_* codes. */
export function answerError(proxy: ProxySpec, authority: string, error: NodeJS.ErrnoException): Failure {
  const code = error.code ?? 'ECONNRESET';
  if (code === 'HPE_HEADER_OVERFLOW')
    return { step: 'proxy', code: 'EPROXYHEAD', message: `proxy ${proxy.display} sent an answer head over 64 KiB` };
  if (code.startsWith('HPE_'))
    return {
      step: 'proxy',
      code: 'EPROXYPROTO',
      message: `proxy ${proxy.display} did not answer CONNECT with HTTP: is it an HTTP proxy?`,
    };
  // "socket hang up": the proxy closed before a complete answer head.
  if (code === 'ECONNRESET')
    return {
      step: 'proxy',
      code,
      message: `proxy ${proxy.display} closed the connection before answering CONNECT ${authority}`,
    };
  return { step: 'proxy', code, message: `proxy ${proxy.display}: ${error.message}` };
}

export function proxyRefusal(
  proxy: ProxySpec,
  authority: string,
  status: number,
  rawHeaders: string[],
): Failure & { code: ProxyFailureCode } {
  if (status === 407) {
    // rawHeaders alternates name, value; each Proxy-Authenticate value starts with its scheme (RFC 9110 11.7.1).
    const schemes = rawHeaders.flatMap((name, i) =>
      i % 2 === 0 && /^proxy-authenticate$/i.test(name) ? (/^[A-Za-z-]+/.exec(rawHeaders[i + 1] ?? '') ?? []) : [],
    );
    const windowsOnly = schemes.length > 0 && schemes.every((s) => /^(ntlm|negotiate|kerberos)$/i.test(s));
    const message = windowsOnly
      ? `proxy ${proxy.display} wants ${schemes.join(' or ')} authentication (407), which tlswitness cannot do: run a local relay such as cntlm or px and point --upstream-proxy at it`
      : proxy.authorization
        ? `proxy ${proxy.display} rejected the credentials (407${schemes.length ? `, it asks for ${schemes.join(', ')}` : ''}): check user and password in the proxy URL`
        : `proxy ${proxy.display} requires authentication (407${schemes.length ? `, ${schemes.join(', ')}` : ''}): use --upstream-proxy http://user:pass@host:port`;
    return { step: 'proxy', code: 'EPROXYAUTH', message, proxyStatus: 407 };
  }
  return {
    step: 'proxy',
    code: `EPROXY${status}` as const,
    message: `proxy ${proxy.display} answered ${status} to CONNECT ${authority}${status === 502 || status === 504 ? ': the proxy could not reach the host' : status === 403 ? ': the proxy forbids this destination' : ''}`,
    proxyStatus: status,
  };
}
