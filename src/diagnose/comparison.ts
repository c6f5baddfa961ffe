// "Is it them or us?": the target's verdict per store, beside a sanity host's and what the
// machine's own clients (curl, python3's ssl, requests, httpx) say; one conclusion a ticket can quote. Pure.
import { formatHostPort } from '../host-port.js';
import { CERTIFI_WARNING } from './certifi-lag.js';
import type { HandshakeRecord } from '../types.js';

export interface ClientCheck {
  /** python3 is its ssl module's default context; requests and httpx each read their own CA bundle. */
  client: 'curl' | 'python3' | 'requests' | 'httpx';
  /** False when the program is not installed; nothing else is then meaningful. */
  available: boolean;
  /** The command as run, without credentials. */
  command: string;
  exitCode: number | null;
  /** Did the client accept the server's certificate (null: it never got that far, or unknown). */
  accepted: boolean | null;
  /** The client's own error text, first line. */
  error: string | null;
  /** The CA bundle the client read and where it came from, as `path (REQUESTS_CA_BUNDLE)`; null when unknown. */
  bundle?: string | null;
}

export type Side = 'them' | 'us' | 'none' | 'unclear';

export interface ComparisonRow {
  check: string;
  result: string;
}

export interface Comparison {
  rows: ComparisonRow[];
  side: Side;
  conclusion: string;
  /** The machine's clients that refused the certificate. */
  refusing: ClientCheck['client'][];
  /** The sanity host failed or was intercepted too: the trouble is not the target's alone. */
  sanityFailed: boolean;
}

export interface ComparisonOptions {
  /** The file given to --public-roots, which replaced Node's bundled Mozilla roots. */
  publicRoots?: string | null;
}

/** Names the public root set as it was: Mozilla's, or the file that replaced them. */
export function publicRootsLabel(options: ComparisonOptions): string {
  return options.publicRoots
    ? `the public roots from ${options.publicRoots} (--public-roots)`
    : "Mozilla's roots (bundled in Node)";
}

const NOT_JUDGED = 'not judged: no certificate was received';

function storeResult(verdict: string): string {
  return verdict === 'ok' ? 'verifies' : verdict === 'not-configured' ? 'not configured' : `fails: ${verdict}`;
}

function sanityResult(sanity: HandshakeRecord | null): string {
  if (!sanity) return 'skipped';
  if (sanity.failure && !sanity.chain.length) return `unreachable: ${sanity.failure.message}`;
  if (sanity.interception.detected)
    return `intercepted${sanity.interception.product ? ` by ${sanity.interception.product}` : ''}`;
  return sanity.verification.ok ? 'verifies' : `fails: ${sanity.verification.code ?? sanity.diagnosis.problem}`;
}

function clientResult(check: ClientCheck): string {
  if (!check.available) return 'not installed';
  const verdict =
    check.accepted === true
      ? 'accepted the certificate'
      : check.accepted === false
        ? 'refused the certificate'
        : 'did not get to the certificate';
  const bundle = check.bundle ? `; CA bundle: ${check.bundle}` : '';
  return `${verdict} (exit ${check.exitCode ?? '?'}${check.error ? `: ${check.error}` : ''})${bundle}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function compareVerdicts(
  target: HandshakeRecord,
  sanity: HandshakeRecord | null,
  clients: ClientCheck[],
  options: ComparisonOptions = {},
): Comparison {
  const where = formatHostPort(target.target);
  const rows: ComparisonRow[] = [
    // Without a certificate there is nothing for a store to refuse.
    {
      check: `${where} against ${publicRootsLabel(options)}`,
      result: target.chain.length ? storeResult(target.trust.public) : NOT_JUDGED,
    },
    {
      check: `${where} against this machine's OS store`,
      result: target.chain.length ? storeResult(target.trust.system) : NOT_JUDGED,
    },
    {
      check: `${where} against the extra CAs (--extra-ca)`,
      result: target.chain.length ? storeResult(target.trust.extra) : NOT_JUDGED,
    },
    ...(target.trust.certifi === undefined
      ? []
      : [
          {
            check: `${where} against Python's certifi (requests' and httpx's default)`,
            result: target.chain.length ? storeResult(target.trust.certifi) : NOT_JUDGED,
          },
        ]),
    { check: `sanity host${sanity ? ` ${formatHostPort(sanity.target)}` : ''}`, result: sanityResult(sanity) },
    ...clients.map((check) => ({
      check: `${check.client} on this machine, against ${where}`,
      result: clientResult(check),
    })),
  ];
  const refusing = clients.filter((c) => c.accepted === false).map((c) => c.client);
  return { rows, ...conclude(target, sanity, clients, options), refusing, sanityFailed: sanityBroken(sanity) };
}

function sanityBroken(sanity: HandshakeRecord | null): boolean {
  return sanity !== null && (!sanity.verification.ok || sanity.interception.detected);
}

function conclude(
  target: HandshakeRecord,
  sanity: HandshakeRecord | null,
  clients: ClientCheck[],
  options: ComparisonOptions,
): { side: Side; conclusion: string } {
  const where = formatHostPort(target.target);
  const { diagnosis, interception } = target;
  if (interception.ownProxy) {
    return { side: 'unclear', conclusion: `Not measured: ${diagnosis.summary}. ${capitalize(diagnosis.action)}.` };
  }
  // The diagnosis already is about the interception (liability network): the conclusion says the same.
  if (interception.detected) {
    const by = interception.product ? ` by ${interception.product}` : '';
    return {
      side: 'us',
      conclusion: `Our side (network): TLS to ${where} is re-signed on this network${by}, so the server did not send this chain. ${capitalize(diagnosis.action)}.`,
    };
  }
  if (diagnosis.problem === 'ok') {
    const refusing = clients.filter((c) => c.accepted === false).map((c) => c.client);
    // Python's certifi lacking the root: the reason requests / httpx refuse, or will once REQUESTS_CA_BUNDLE is gone.
    const certifi = target.warnings.find((w) => w.code === CERTIFI_WARNING);
    const python = certifi ? ` Python: ${certifi.message}.` : '';
    if (refusing.length)
      return {
        side: 'us',
        conclusion: `Our side: ${where} serves a chain that verifies, but ${listed(refusing)} on this machine ${refusing.length > 1 ? 'refuse' : 'refuses'} it: ${refusing.length > 1 ? 'their trust stores are' : 'its trust store is'} missing a root (point them at a complete CA bundle; see tlswitness doctor).${python}`,
      };
    // No client here refused it (REQUESTS_CA_BUNDLE may stand in for certifi), so nothing fails yet: said, not blamed.
    if (certifi)
      return {
        side: 'none',
        conclusion: `No problem seen: ${where} serves a chain that verifies from here. But for Python: ${certifi.message}.`,
      };
    const possible = interception.possible ? ` Interception ${interception.reason}.` : '';
    return { side: 'none', conclusion: `No problem seen: ${where} serves a chain that verifies from here.${possible}` };
  }
  if (diagnosis.problem === 'connection-failed') {
    return {
      side: 'unclear',
      conclusion: `${where} could not be reached from here (${target.failure?.message ?? 'no connection'}), so there is no certificate to judge.`,
    };
  }
  // A security-level refusal is the certificate's, whatever store or sanity host says: the clients named refuse it everywhere.
  if (diagnosis.problem === 'weak-crypto') {
    return {
      side: 'them',
      conclusion: `Their side: ${where} serves a key or signature too weak for some clients' security level (weak-crypto): ${diagnosis.summary}. The fix is on the server: ${diagnosis.action}`,
    };
  }
  if (sanity && sanityBroken(sanity)) {
    return {
      side: 'us',
      conclusion: `Probably our side: the sanity host ${formatHostPort(sanity.target)} fails too, so this machine's trust store or network is at fault, not ${where} alone.`,
    };
  }
  const publicOk = target.trust.public === 'ok';
  const systemOk = target.trust.system === 'ok';
  if (publicOk && !systemOk && target.trust.system !== 'not-configured') {
    return {
      side: 'us',
      conclusion: `Our side: ${publicRootsLabel(options)} verify ${where} but this machine's OS store does not: update the OS CA store (ca-certificates).`,
    };
  }
  if (diagnosis.liability === 'server') {
    const sane = sanity ? ` while the sanity host ${formatHostPort(sanity.target)} verifies` : '';
    return {
      side: 'them',
      conclusion: `Their side: ${where} fails verification (${diagnosis.problem})${sane}; the fix is on the server: ${diagnosis.action}`,
    };
  }
  if (diagnosis.liability === 'client' || diagnosis.liability === 'network')
    return { side: 'us', conclusion: `Our side (${diagnosis.liability}): ${diagnosis.summary} ${diagnosis.action}` };
  return { side: 'unclear', conclusion: diagnosis.summary };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
