// Fetching a missing issuer from the leaf's AIA caIssuers URL, as browsers do: the body is DER,
// PEM, or a certs-only PKCS#7 (RFC 5280 4.2.2.1). Plain http:// only, as the RFC intends.
import { request } from 'node:http';
import { X509Certificate } from 'node:crypto';
import { pemCertificates } from '../trust/pem.js';
import type { ResolveMap } from './target.js';

const MAX_BODY = 1024 * 1024;

export async function certificatesFromIssuerBody(body: Buffer): Promise<Buffer[]> {
  const pems = pemCertificates(body.toString('latin1'));
  if (pems.length) return pems;
  try {
    new X509Certificate(body);
    return [body];
  } catch {
    // not a bare certificate: try PKCS#7
  }
  // Loaded only here: PKCS#7 is rare and the CMS schemas cost start-up time.
  const [{ AsnConvert }, { ContentInfo, SignedData }] = await Promise.all([import('@peculiar/asn1-schema'), import('@peculiar/asn1-cms')]);
  const info = AsnConvert.parse(body, ContentInfo);
  const signed = AsnConvert.parse(info.content, SignedData);
  return (signed.certificates ?? []).flatMap((choice) => (choice.certificate ? [Buffer.from(AsnConvert.serialize(choice.certificate))] : []));
}

export function fetchIssuer(url: string, resolve: ResolveMap, timeoutMs: number, redirects = 2): Promise<Buffer[]> {
  return new Promise((done, fail) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      fail(new Error(`AIA URL ${url} is not a URL`));
      return;
    }
    if (parsed.protocol !== 'http:') {
      fail(new Error(`AIA URL ${url} is not http:// (RFC 5280 4.2.2.1)`));
      return;
    }
    const port = Number(parsed.port || 80);
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    const pinned = resolve.get(`${host.toLowerCase()}:${port}`)?.[0];
    const req = request({ host: pinned ?? host, port, path: `${parsed.pathname}${parsed.search}`, headers: { host: parsed.host, 'user-agent': 'tlswitness' }, timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        fetchIssuer(new URL(res.headers.location, url).toString(), resolve, timeoutMs, redirects - 1).then(done, fail);
        return;
      }
      if (status !== 200) {
        res.resume();
        fail(new Error(`GET ${url} answered ${status}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) req.destroy(new Error(`GET ${url}: body over 1 MiB`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        certificatesFromIssuerBody(Buffer.concat(chunks)).then(
          (certs) => (certs.length ? done(certs) : fail(new Error(`GET ${url}: no certificate in the answer`))),
          () => fail(new Error(`GET ${url}: the answer is not DER, PEM or PKCS#7`)),
        );
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => fail(error));
    req.end();
  });
}
