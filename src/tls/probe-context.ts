// The probe's client SecureContext. Without anchors a fresh one per probe (cheap: it loads no roots).
// With anchors (so OpenSSL judges the connection too) one per anchor set, client identity and TLS
// version range for the whole process: parsing a few hundred root PEMs costs 20-70 ms of event-loop time.
import { createSecureContext, type SecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import type { ClientCredentials, ProbeAnchors } from './probe.js';

export interface ContextSettings {
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  client: ClientCredentials | null;
  anchors?: ProbeAnchors | null;
}

const LEGACY: SecureVersion[] = ['TLSv1', 'TLSv1.1'];

/** OpenSSL 3's security level 1 refuses the SHA-1 signatures TLS 1.0/1.1 need; asked-for legacy gets level 0. */
export function isLegacy(settings: Pick<ContextSettings, 'minVersion'>): boolean {
  return LEGACY.includes(settings.minVersion);
}

function contextOptions(settings: ContextSettings): SecureContextOptions {
  const client = settings.client;
  return {
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    cert: client?.cert,
    key: client?.key,
    pfx: client?.pfx,
    passphrase: client?.passphrase,
    ...(isLegacy(settings) ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
  };
}

const built = new WeakMap<object, Map<string, SecureContext>>();
const clientIds = new WeakMap<ClientCredentials, number>();
let nextClientId = 1;

/** Throws on unusable client credentials (a bad PKCS#12, a wrong password, a key that does not match). */
export function probeContext(settings: ContextSettings): SecureContext {
  const anchors = settings.anchors;
  // We verify ourselves (trust/verify.ts); without anchors Node's default root store (20 ms to load) is not needed.
  if (!anchors) return createSecureContext({ ...contextOptions(settings), ca: [] });
  let byKey = built.get(anchors.key);
  if (!byKey) built.set(anchors.key, (byKey = new Map()));
  let clientId = 0;
  if (settings.client) {
    clientId = clientIds.get(settings.client) ?? nextClientId++;
    clientIds.set(settings.client, clientId);
  }
  const key = `${settings.minVersion} ${settings.maxVersion} ${clientId}`;
  let context = byKey.get(key);
  // One PEM string, not an array: Node parses an array element by element, about 3x slower (measured 70 vs 25 ms for 145 roots).
  if (!context)
    byKey.set(key, (context = createSecureContext({ ...contextOptions(settings), ca: anchors.pems().join('\n') })));
  return context;
}
