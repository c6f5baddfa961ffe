// Fetching a missing issuer from the leaf's AIA caIssuers URL, as browsers do: the body is DER,
// PEM, or a certs-only PKCS#7 (RFC 5280 4.2.2.1). Plain http:// only, as the RFC intends. The URL
// comes from the server, so the fetch is bounded: the same route as the traffic (the upstream
// proxy when there is one), no internal address unless the host itself is there, 64 KiB, 5 s.
import type { ClientRequest, IncomingMessage } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { pemCertificates } from '../trust/pem.js';
import { pkcs7Certificates } from '../trust/pkcs7.js';
import { aiaRefusal, type AddressCategory } from './address-category.js';
import { canonicalAddress, isLoopbackName } from './address-spellings.js';
import type { ProxySpec } from './connector.js';
import type { ResolveMap } from './target.js';
import type { IssuerRefusal } from '../types.js';
import { sameAcrossBundles } from '../cross-bundle.js';

// An intermediate is 1-2 KB and a PKCS#7 bundle of a few rarely passes 20 KB.
export const MAX_ISSUER_BYTES = 64 * 1024;
// Browsers give AIA a few seconds; a handshake record should not wait longer than that.
export const MAX_ISSUER_MS = 5_000;

export class IssuerFetchError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'IssuerFetchError');
  }

  constructor(
    message: string,
    readonly refusal: IssuerRefusal | null = null,
  ) {
    super(message);
    this.name = 'IssuerFetchError';
  }
}

export interface IssuerFetchOptions {
  resolve: ResolveMap;
  /** The proxy the inspected host was reached through: the fetch takes the same route. */
  proxy: ProxySpec | null;
  /** The network of the inspected host's address (`public` when it is not known). */
  hostCategory: AddressCategory;
  timeoutMs: number;
  maxBytes?: number;
  /** Name resolution (injectable for tests): DNS or the hosts file by default. */
  lookupAddress?: (host: string) => Promise<string>;
}

export async function certificatesFromIssuerBody(body: Buffer): Promise<Buffer[]> {
  const pems = pemCertificates(body.toString('latin1'));
  if (pems.length) return pems;
  try {
    new X509Certificate(body);
    return [body];
  } catch {
    // not a bare certificate: try PKCS#7
  }
  return pkcs7Certificates(body);
}

// node:dns/promises and node:http are loaded on the first fetch: most runs never fetch an issuer.
const defaultLookup = async (host: string) => (await (await import('node:dns/promises')).lookup(host)).address;

/**
 * Where the GET goes: the proxy (absolute-form request, RFC 9112 3.2.2), or the vetted address of
 * the URL's host, connected to as resolved, so a second DNS answer cannot swap in another address.
 */
async function route(
  url: URL,
  options: IssuerFetchOptions,
): Promise<{ host: string; port: number; path: string; headers: Record<string, string> }> {
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const headers: Record<string, string> = { host: url.host, 'user-agent': 'tlswitness' };
  const literal = canonicalAddress(host);
  const check = (address: string) => {
    const why = aiaRefusal(address, options.hostCategory);
    if (why) throw new IssuerFetchError(`GET ${url.href} refused: ${why}`, 'internal-address');
  };
  if (options.proxy) {
    // A name is the proxy's to resolve (and to police); a literal address or localhost is checked here.
    if (literal || isLoopbackName(host)) check(literal ?? host);
    if (options.proxy.authorization) headers['proxy-authorization'] = options.proxy.authorization;
    const proxyHost =
      options.resolve.get(`${options.proxy.host.toLowerCase()}:${options.proxy.port}`)?.[0] ?? options.proxy.host;
    return { host: proxyHost, port: options.proxy.port, path: url.href, headers };
  }
  let address = literal ?? options.resolve.get(`${host.toLowerCase()}:${port}`)?.[0];
  if (!address) {
    try {
      address = await (options.lookupAddress ?? defaultLookup)(host);
    } catch (error) {
      throw new IssuerFetchError(
        `GET ${url.href}: cannot resolve ${host} (${(error as NodeJS.ErrnoException).code ?? 'ENOTFOUND'})`,
      );
    }
  }
  check(address);
  return { host: address, port, path: `${url.pathname}${url.search}`, headers };
}

type Finish = (error: Error | null, certs?: Buffer[]) => void;

/** Reads a final answer: a 200 whose body, at most maxBytes, holds the certificates; anything else fails. */
function readAnswer(res: IncomingMessage, url: URL, maxBytes: number, finish: Finish, finished: () => boolean): void {
  const status = res.statusCode ?? 0;
  if (status !== 200) {
    res.resume();
    finish(new IssuerFetchError(`GET ${url.href} answered ${status}`));
    return;
  }
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    finish(
      new IssuerFetchError(
        `GET ${url.href}: answer of ${declared} bytes, over the ${maxBytes / 1024} KiB an issuer can need`,
        'too-large',
      ),
    );
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes)
      finish(
        new IssuerFetchError(`GET ${url.href}: answer over the ${maxBytes / 1024} KiB an issuer can need`, 'too-large'),
      );
    else chunks.push(chunk);
  });
  res.on('error', (error) => finish(error));
  res.on('end', () => {
    if (finished()) return;
    certificatesFromIssuerBody(Buffer.concat(chunks)).then(
      (certs) =>
        finish(certs.length ? null : new IssuerFetchError(`GET ${url.href}: no certificate in the answer`), certs),
      () => finish(new IssuerFetchError(`GET ${url.href}: the answer is not DER, PEM or PKCS#7`)),
    );
  });
}

function get(url: URL, options: IssuerFetchOptions, deadline: number, redirects: number): Promise<Buffer[]> {
  return new Promise((done, fail) => {
    const maxBytes = options.maxBytes ?? MAX_ISSUER_BYTES;
    let req: ClientRequest | null = null;
    let finished = false;
    const finish: Finish = (error, certs) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (error) {
        req?.destroy();
        fail(error);
      } else done(certs!);
    };
    const remaining = Math.max(0, deadline - Date.now());
    // One deadline for the whole fetch (resolution, redirects, a server that dribbles its body).
    const timer = setTimeout(
      () =>
        finish(new IssuerFetchError(`GET ${url.href}: no complete answer within ${options.timeoutMs} ms`, 'too-slow')),
      remaining,
    );
    Promise.all([route(url, options), import('node:http')]).then(
      ([target, { request }]) => {
        if (finished) return;
        req = request({ ...target, agent: false }, (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
            res.resume();
            let next: URL;
            try {
              next = new URL(res.headers.location, url);
            } catch {
              finish(new IssuerFetchError(`GET ${url.href}: redirect to an unusable URL`));
              return;
            }
            clearTimeout(timer);
            finished = true;
            req?.destroy();
            fetchAt(next, options, deadline, redirects - 1).then(done, fail);
            return;
          }
          readAnswer(res, url, maxBytes, finish, () => finished);
        });
        req.on('error', (error) =>
          finish(
            options.proxy
              ? new IssuerFetchError(`GET ${url.href} through proxy ${options.proxy.display}: ${error.message}`)
              : error,
          ),
        );
        req.end();
      },
      (error: Error) => finish(error),
    );
  });
}

function fetchAt(url: URL, options: IssuerFetchOptions, deadline: number, redirects: number): Promise<Buffer[]> {
  if (url.protocol !== 'http:')
    return Promise.reject(new IssuerFetchError(`AIA URL ${url.href} is not http:// (RFC 5280 4.2.2.1)`));
  return get(url, options, deadline, redirects);
}

/** The certificates at an AIA caIssuers URL, within MAX_ISSUER_MS and MAX_ISSUER_BYTES; two redirects at most. */
export function fetchIssuer(url: string, options: IssuerFetchOptions): Promise<Buffer[]> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.reject(new IssuerFetchError(`AIA URL ${url} is not a URL`));
  }
  const limit = Math.min(options.timeoutMs, MAX_ISSUER_MS);
  return fetchAt(parsed, { ...options, timeoutMs: limit }, Date.now() + limit, 2);
}
