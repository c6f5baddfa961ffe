// Which clients refuse a chain's keys and signatures, each by its own security policy; pure.
// OpenSSL (crypto/x509/x509_vfy.c, OpenSSL 3.0): at security level L every key on the path and every
// signature below the trust anchor must give at least LEVEL_BITS[L] security bits (SSL_CTX_set_security_level(3ssl));
// RSA 1024 rates 80, RSA 2048 112 (NIST SP 800-57), a SHA-1 signature 63. Node 20 runs at level 1;
// Debian, Ubuntu and RHEL 9 build or configure level 2, so their OpenSSL clients (curl, Python) refuse
// RSA < 2048 and SHA-1. GnuTLS (Debian's wget and git), Go, Java and browsers follow their own documented
// rules (warnings, not measured here).
import type { StrictWarning, WeakCrypto, WeakFinding, WeakRefusal } from '../types.js';

/** One certificate of the built path, leaf first, as the policies rate it. */
export interface PolicyCert {
  subject: string;
  keyType: string;
  keyBits: number | null;
  /** EVP_PKEY_get_security_bits of its key. */
  keySecurityBits: number;
  signatureAlgorithm: string;
  /** The security bits OpenSSL gives its signature (SHA-1 63, MD5 39). */
  signatureSecurityBits: number;
}

/** SSL_CTX_set_security_level(3): the minimum security bits of levels 0 to 5. */
export const LEVEL_BITS = [0, 80, 112, 128, 192, 256] as const;

/** The level Debian, Ubuntu and RHEL 9 clients run at (SPEC: the reference for `weak-crypto`). */
export const DISTRIBUTION_LEVEL = 2;
/** Node 20's OpenSSL default. */
export const NODE_LEVEL = 1;

// Measured on Debian 12: curl and Python refuse RSA-1024; wget and git (GnuTLS there) accept it.
const OPENSSL_CLIENTS = 'curl, Python';

function bitsFor(level: number): number {
  return LEVEL_BITS[Math.max(0, Math.min(5, level))]!;
}

function keyText(cert: PolicyCert): string {
  return `a ${cert.keyBits ?? 'unknown'}-bit ${cert.keyType} key (${cert.keySecurityBits} security bits)`;
}

/**
 * check_key_level on the leaf, then check_auth_level leaf to top: CA keys (the anchor's too), and
 * every signature but the anchor's. The first failure is what a client that stops at the first
 * error (curl, Python) prints. `anchored`: the last certificate is the trust anchor.
 */
export function refusalAt(path: PolicyCert[], anchored: boolean, level: number): WeakFinding | null {
  const min = bitsFor(level);
  if (level <= 0 || !path.length) return null;
  const leaf = path[0]!;
  if (leaf.keySecurityBits < min)
    return {
      depth: 0,
      subject: leaf.subject,
      kind: 'key',
      text: keyText(leaf),
      securityBits: leaf.keySecurityBits,
      message: 'EE certificate key too weak',
    };
  const top = anchored ? path.length - 1 : path.length;
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!;
    if (i > 0 && cert.keySecurityBits < min)
      return {
        depth: i,
        subject: cert.subject,
        kind: 'key',
        text: keyText(cert),
        securityBits: cert.keySecurityBits,
        message: 'CA certificate key too weak',
      };
    if (i < top && cert.signatureSecurityBits < min) {
      return {
        depth: i,
        subject: cert.subject,
        kind: 'signature',
        text: `a signature made with ${cert.signatureAlgorithm} (${cert.signatureSecurityBits} security bits)`,
        securityBits: cert.signatureSecurityBits,
        message: 'CA signature digest algorithm too weak',
      };
    }
  }
  return null;
}

function isSha1OrWorse(cert: PolicyCert): boolean {
  return /sha1|md5|md2|md4/i.test(cert.signatureAlgorithm);
}

/**
 * The judgement for a path that reaches a trust anchor: which OpenSSL clients refuse it (Node at
 * level 1, this machine's at `machineLevel`, and Debian/Ubuntu/RHEL 9 at level 2 when this machine
 * is laxer or unknown), and the documented rules of Go, Java and browsers as warnings. Null when no
 * policy refuses anything.
 */
export function judgeWeakCrypto(
  path: PolicyCert[],
  anchored: boolean,
  machineLevel: number | null,
): { weakCrypto: WeakCrypto; warnings: StrictWarning[] } | null {
  const refusedBy: WeakRefusal[] = [];
  const add = (client: string, level: number) => {
    const finding = refusalAt(path, anchored, level);
    if (finding) refusedBy.push({ client, level, message: finding.message, depth: finding.depth });
  };
  add(`Node (level ${NODE_LEVEL})`, NODE_LEVEL);
  if (machineLevel !== null)
    add(`this machine's OpenSSL clients (level ${machineLevel}: ${OPENSSL_CLIENTS})`, machineLevel);
  if (machineLevel === null || machineLevel < DISTRIBUTION_LEVEL)
    add(`Debian/Ubuntu/RHEL 9 OpenSSL clients (level ${DISTRIBUTION_LEVEL}: ${OPENSSL_CLIENTS})`, DISTRIBUTION_LEVEL);
  // Level 2 refuses whatever Go, Java and browsers refuse (SHA-1 is below level 1, RSA < 2048 below level 2).
  if (!refusedBy.length) return null;
  // Everything weak on the path for the strictest client named, not only the first thing each stops at.
  const findings = allWeak(path, anchored, Math.max(DISTRIBUTION_LEVEL, machineLevel ?? DISTRIBUTION_LEVEL));
  const names = refusedBy.map((r) => `${r.client}: "${r.message}"`).join('; ');
  const warnings: StrictWarning[] = [
    {
      code: 'weak-crypto',
      clients: refusedBy.map((r) => r.client),
      message: `refused for a weak key or signature by ${names}`,
    },
    ...documentedRules(path, anchored),
  ];
  return { weakCrypto: { opensslLevel: machineLevel, refusedBy, findings }, warnings };
}

/** Every key and signature below `level`'s minimum, not only the first. */
function allWeak(path: PolicyCert[], anchored: boolean, level: number): WeakFinding[] {
  const min = bitsFor(level);
  const top = anchored ? path.length - 1 : path.length;
  const out: WeakFinding[] = [];
  path.forEach((cert, i) => {
    if (cert.keySecurityBits < min)
      out.push({
        depth: i,
        subject: cert.subject,
        kind: 'key',
        text: keyText(cert),
        securityBits: cert.keySecurityBits,
        message: i === 0 ? 'EE certificate key too weak' : 'CA certificate key too weak',
      });
    if (i < top && cert.signatureSecurityBits < min) {
      out.push({
        depth: i,
        subject: cert.subject,
        kind: 'signature',
        text: `a signature made with ${cert.signatureAlgorithm} (${cert.signatureSecurityBits} security bits)`,
        securityBits: cert.signatureSecurityBits,
        message: 'CA signature digest algorithm too weak',
      });
    }
  });
  return out;
}

/** Go, Java and browsers: their documented rules, reported as warnings (this machine cannot run them all). */
function documentedRules(path: PolicyCert[], anchored: boolean): StrictWarning[] {
  const top = anchored ? path.length - 1 : path.length;
  const sha1 = path.slice(0, top).filter(isSha1OrWorse);
  const rsaBelow = (bits: number) => path.filter((c) => c.keyType === 'RSA' && c.keyBits !== null && c.keyBits < bits);
  const warnings: StrictWarning[] = [];
  const named = (certs: PolicyCert[]) => certs.map((c) => `"${c.subject}"`).join(', ');
  if (sha1.length) {
    // Go 1.18 release notes: crypto/x509 rejects SHA-1 signatures (GODEBUG=x509sha1=1 undid it until Go 1.24).
    warnings.push({
      code: 'weak-crypto-go',
      clients: ['Go 1.18+'],
      message: `Go refuses SHA-1 signatures ("x509: cannot verify signature: insecure algorithm"): ${named(sha1)}`,
    });
    // Chrome 57 / Firefox 52 (2017) removed SHA-1 from publicly trusted chains.
    warnings.push({
      code: 'weak-crypto-browsers',
      clients: ['Chrome', 'Firefox', 'Safari', 'Edge'],
      message: `browsers refuse SHA-1 signatures (NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM): ${named(sha1)}`,
    });
    // java.security: jdk.certpath.disabledAlgorithms includes "SHA1 jdkCA & usage TLSServer".
    warnings.push({
      code: 'weak-crypto-java',
      clients: ['Java 8u231+/11+'],
      message: `Java refuses SHA-1 signatures below a root from its own cacerts (jdk.certpath.disabledAlgorithms: SHA1 jdkCA & usage TLSServer); a private root it accepts: ${named(sha1)}`,
    });
  }
  const weakForBrowsers = rsaBelow(2048);
  if (weakForBrowsers.length) {
    // CA/Browser Forum Baseline Requirements 6.1.5: RSA keys of at least 2048 bits.
    warnings.push({
      code: 'weak-crypto-browsers',
      clients: ['Chrome', 'Firefox', 'Safari', 'Edge'],
      message: `browsers refuse RSA keys below 2048 bits in publicly trusted chains (CA/B Forum Baseline Requirements 6.1.5; NET::ERR_CERT_WEAK_KEY): ${named(weakForBrowsers)}`,
    });
  }
  const belowLevel1 = path.filter(
    (c, i) => c.keySecurityBits < LEVEL_BITS[1] || (i < top && c.signatureSecurityBits < LEVEL_BITS[1]),
  );
  if (belowLevel1.length) {
    // Recorded from wget 1.21 / GnuTLS 3.7 (Debian 12): "was signed using an insecure algorithm"; RSA-1024 passes.
    warnings.push({
      code: 'weak-crypto-gnutls',
      clients: ['GnuTLS (wget, and git on Debian/Ubuntu)'],
      message: `GnuTLS refuses SHA-1 signatures and keys below 80 security bits ("signed using an insecure algorithm"): ${named(belowLevel1)}`,
    });
  }
  const weakForJava = rsaBelow(1024);
  if (weakForJava.length) {
    warnings.push({
      code: 'weak-crypto-java',
      clients: ['Java'],
      message: `Java refuses RSA keys below 1024 bits (jdk.certpath.disabledAlgorithms: RSA keySize < 1024): ${named(weakForJava)}`,
    });
    // Go 1.24 release notes: crypto/rsa refuses keys smaller than 1024 bits.
    warnings.push({
      code: 'weak-crypto-go',
      clients: ['Go 1.24+'],
      message: `Go refuses RSA keys below 1024 bits: ${named(weakForJava)}`,
    });
  }
  return warnings;
}
