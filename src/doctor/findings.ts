// What `doctor` reports: one finding per thing checked, with its cause and the one thing to do; pure.

/**
 * `danger`: verification is switched off (anything is accepted). `broken`: a setting that makes
 * verification fail for everything (a CA file that is missing or holds no certificate). Both are
 * SPEC's "dangerous setting / problem" (exit 1); `warning` is worth fixing, `info` is context.
 */
export type Severity = 'ok' | 'info' | 'warning' | 'broken' | 'danger';

export type CheckName =
  | 'ca-variable'
  | 'env-file'
  | 'verification-off'
  | 'proxy-variable'
  | 'system-store'
  | 'local-ca'
  | 'client-trust'
  | 'certifi'
  | 'tool';

export interface Finding {
  check: CheckName;
  severity: Severity;
  /** What it is about: an environment variable, a config key, a file, a client. */
  subject: string;
  message: string;
  /** The one thing to do next; null when nothing needs doing. */
  action: string | null;
}

export const CHECK_TITLES: Record<CheckName, string> = {
  'verification-off': 'Verification switched off',
  'ca-variable': 'CA bundle variables',
  'env-file': 'Environment files (.env)',
  'proxy-variable': 'Proxy variables',
  'system-store': 'System trust store',
  'local-ca': 'tlswitness local CA',
  'client-trust': 'What each client trusts',
  certifi: "Python's certifi and CA file",
  tool: 'Tools looked at',
};

export function isFailing(finding: Finding): boolean {
  return finding.severity === 'danger' || finding.severity === 'broken';
}

export function finding(
  check: CheckName,
  severity: Severity,
  subject: string,
  message: string,
  action: string | null = null,
): Finding {
  return { check, severity, subject, message, action };
}
