// An origin's answer that breaks HTTP in a way Node's parser lets through: a 101 to a request that asked
// for no upgrade, or a status the app's HTTP version cannot carry. Told to the app as UPSTREAM_HTTP, as
// the answers the parser itself refuses (HPE_* errors), never as a TLS fault or a bug of the proxy's.
import { sameAcrossBundles } from '../cross-bundle.js';

export class OriginHttpError extends Error {
  // Thrown in one file of the built binary and tested in another (src/cross-bundle.ts).
  static {
    sameAcrossBundles(this, 'OriginHttpError');
  }

  constructor(message: string) {
    super(message);
    this.name = 'OriginHttpError';
  }
}

/**
 * The final statuses an answer to the app may have: Node writes 100 to 999 on HTTP/1.1 (it throws on any
 * other, an uncaught exception in a library's handler) and node:http2 200 to 599, while an origin's status
 * line may carry any three digits (000 and 099 parse). Node waits past a 1xx answer, except a 101 that
 * lacks "Upgrade" or "Connection: upgrade": that one comes as final, and the app told 101 would wait for
 * a protocol that never starts (one with both is the request's 'upgrade', unasked-upgrade.ts).
 */
export const carriedOnH1 = (status: number) => status >= 200 && status <= 999;
export const carriedOnH2 = (status: number) => status >= 200 && status <= 599;

export function uncarriedStatus(status: number, version: 'HTTP/1.1' | 'HTTP/2'): OriginHttpError {
  if (status === 101) return unaskedUpgrade(status);
  return new OriginHttpError(`the origin answered with status ${status}, which an ${version} response cannot carry`);
}

export function unaskedUpgrade(status = 101): OriginHttpError {
  return new OriginHttpError(
    `the origin answered ${status} Switching Protocols to a request that asked for no upgrade`,
  );
}
