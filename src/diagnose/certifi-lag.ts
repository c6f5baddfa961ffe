// A chain this machine trusts but Python's certifi does not: requests and httpx (which read certifi's
// bundle unless told otherwise) refuse it. Said as a warning, with the fix that fits why; pure.
import type { RootSetAge } from '../trust/root-set-comparison.js';
import type { StrictWarning, TrustVerdicts } from '../types.js';

export interface CertifiInfo {
  /** `certifi 2024.02.02 (/path/cacert.pem)`. */
  label: string;
  /** certifi's roots against the public ones: `older` means upgrading certifi brings the missing roots. */
  age: RootSetAge;
}

export const CERTIFI_WARNING = 'certifi-lacks-root';
export const CERTIFI_CLIENTS = ['Python requests and httpx (certifi)'];
export const UPGRADE_CERTIFI = 'python3 -m pip install --upgrade certifi';

const judged = (verdict: string | undefined): verdict is string =>
  verdict !== undefined && verdict !== 'ok' && verdict !== 'not-configured' && verdict !== 'no-certificate';

/** Null unless the chain verifies for the tool and certifi refuses it. */
export function certifiWarning(
  trust: TrustVerdicts,
  effectiveOk: boolean,
  info: CertifiInfo | null,
): StrictWarning | null {
  if (!effectiveOk || !judged(trust.certifi)) return null;
  const certifi = info?.label ?? "Python's certifi";
  const refusal = `your Python's ${certifi} does not (${trust.certifi}), so requests and httpx refuse it unless told to use another bundle`;
  if (trust.public === 'ok') {
    const why =
      info?.age === 'newer'
        ? `; this certifi is newer than the public roots and no longer holds this root (removed from Mozilla's roots since): the server should move to a chain under a current root`
        : info?.age === 'older'
          ? `; this certifi is older than the public roots: upgrade it: ${UPGRADE_CERTIFI}`
          : `; upgrade certifi (${UPGRADE_CERTIFI}), or see tlswitness doctor, which compares it with Node's roots`;
    return {
      code: CERTIFI_WARNING,
      clients: CERTIFI_CLIENTS,
      message: `the public roots verify this chain but ${refusal}${why}`,
    };
  }
  const by = (['system', 'extra'] as const).filter((store) => trust[store] === 'ok');
  return {
    code: CERTIFI_WARNING,
    clients: CERTIFI_CLIENTS,
    message: `this machine trusts this chain (${by.join(' and ')} store) but ${refusal}; give them a bundle that holds its root: tlswitness bundle -o ~/ca-bundle.pem --extra-ca corp.pem, then export REQUESTS_CA_BUNDLE=~/ca-bundle.pem`,
  };
}
