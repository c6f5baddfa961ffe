// tlswitness's own CA in a chain: the run measured a tlswitness proxy, not the network, and what to
// tell the user about it; pure.
import type { HandshakeRecord } from '../types.js';

/** A tlswitness CA this machine holds (the certs dir's), as the chain would show it. */
export interface OwnCa {
  subject: string;
  subjectKeyId: string | null;
  spkiSha256: string;
}

/** tlswitness's own CA product name in the catalogue: any install's CA, matched by its name pattern. */
export const OWN_PRODUCT = 'tlswitness';

/** The certs dir's CA in the chain: a sent certificate with its key, or the issuer of one (name and key id). */
export function ownCaIn(
  record: Pick<HandshakeRecord, 'chain'>,
  ownCas: OwnCa[],
): { name: string; where: string } | null {
  for (const [depth, entry] of record.chain.entries()) {
    if (ownCas.some((ca) => ca.spkiSha256 === entry.spkiSha256))
      return { name: entry.subject, where: `certificate ${depth}, this machine's tlswitness CA` };
    const issuer = ownCas.find(
      (ca) =>
        ca.subject === entry.issuer &&
        (!ca.subjectKeyId || !entry.authorityKeyId || ca.subjectKeyId === entry.authorityKeyId),
    );
    if (issuer) return { name: entry.issuer, where: `issuer of certificate ${depth}, this machine's tlswitness CA` };
  }
  return null;
}

/**
 * SPEC: tlswitness's own CA is never "an interceptor": the run went through a tlswitness proxy (the
 * usual cause: HTTPS_PROXY from `ca env` in this shell), which minted what was seen. Said plainly,
 * with the way out, instead of a diagnosis of a chain the server never sent.
 */
export function ownProxyStatement(
  record: Pick<HandshakeRecord, 'via' | 'proxy' | 'target'>,
  caName: string,
): { summary: string; action: string } {
  const minted = `the certificate was minted by "${caName}"`;
  if (record.via === 'env-proxy') {
    return {
      summary: `HTTPS_PROXY (${record.proxy}) points at tlswitness's own proxy: this run measured the proxy, not the network (${minted})`,
      action: 'run with --no-env-proxy or in a shell without `ca env`',
    };
  }
  if (record.via === 'upstream-proxy') {
    return {
      summary: `--upstream-proxy ${record.proxy} is a tlswitness proxy: this run measured that proxy, not the network (${minted})`,
      action: "leave out --upstream-proxy (or give the network's own proxy) and run again",
    };
  }
  const host = record.target.servername ?? record.target.host;
  return {
    summary: `${formatHost(record.target)} answered as a tlswitness proxy, not as ${host}: this run measured the proxy, not the server (${minted})`,
    action: 'check --resolve and the port: they lead to a tlswitness proxy, not to the server',
  };
}

function formatHost(target: HandshakeRecord['target']): string {
  return `${target.address ?? target.host}:${target.port}`;
}
