// Whether a target is this proxy itself: the pure judgement (self-target.ts) plus, for a name on one
// of the proxy's own ports, what the resolver answers.
import { networkInterfaces } from 'node:os';
import type { ProxySpec } from '../net/connector.js';
import type { ResolveMap } from '../net/target.js';
import { checkSelfTarget, isSelfAddress, selfListener, type SelfListener } from './self-target.js';
import type { HostPort } from '../types.js';

export class LoopGuard {
  private self: SelfListener = { ports: [], addresses: [] };

  constructor(
    private readonly resolve: ResolveMap,
    private readonly proxyFor: (host: string) => ProxySpec | null,
  ) {}

  /** Once the proxy listens: the address it is bound to and its ports (a wildcard bind adds every interface). */
  listening(boundAddress: string, ports: number[]): void {
    const interfaces = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((entry) => entry.address));
    this.self = selfListener(boundAddress, ports, interfaces);
  }

  /** An address about to be dialled (any spelling) that is the proxy. */
  isSelfAddress(address: string, port: number): boolean {
    return isSelfAddress(this.self, address, port);
  }

  /**
   * A target that reaches this proxy: any spelling of its addresses, a --resolve pin, or a name that
   * resolves to one, on its own port or the library's. Resolved only on one of those ports, and not
   * when an upstream proxy carries it (that proxy resolves it; a chain back here carries our Via).
   */
  async isSelf(target: HostPort): Promise<boolean> {
    const check = checkSelfTarget(this.self, target, this.resolve);
    if ('self' in check) return check.self;
    if (this.proxyFor(target.host)) return false;
    try {
      // Loaded on first use: most runs never name one of the proxy's own ports.
      const { lookup } = await import('node:dns/promises');
      const answers = await lookup(check.lookup, { all: true });
      return answers.some((answer) => isSelfAddress(this.self, answer.address, target.port));
    } catch {
      // Unresolvable: not this proxy; the connection attempt reports the DNS failure.
      return false;
    }
  }
}
