// What each JVM's truststore trusts: the corporate CAs and the local CA, matched by certificate (else by
// name and key), with the exact keytool line that adds a missing one; pure.
import { basename, extname } from 'node:path';
import { powerShellCommand, quoteFor, quotePosix } from '../shell-quote.js';
import { membership } from './client-findings.js';
import { finding, type Finding } from './findings.js';
import { count } from '../plural.js';
import type { CertFact, DoctorSnapshot, JavaFacts, JavaStoreFacts, JvmFacts } from './snapshot.js';

const STOREPASS = 'changeit';

const major = (version: string | null) => Number(/^(?:1\.)?(\d+)/.exec(version ?? '')?.[1] ?? NaN);

function describeJvm(jvm: JvmFacts): string {
  return `Java ${jvm.version ?? '(version unknown)'} in ${jvm.home} (${jvm.from})`;
}

/** A keytool alias from the certificate's CN (keytool lower-cases aliases). */
export function javaAlias(cert: CertFact): string {
  const cn = /(?:^|,)CN=([^,]+)/.exec(cert.subject)?.[1] ?? '';
  return (
    cn
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'corporate-ca'
  );
}

/** The same alias `tlswitness ca install` uses, so `ca uninstall` finds what this line adds. */
export function localCaAlias(cert: CertFact): string {
  return `tlswitness-${cert.sha256.replace(/:/g, '').slice(0, 12).toLowerCase()}`;
}

export interface ImportWanted {
  file: string;
  /** How many certificates the file holds: keytool -importcert reads only the first. */
  certificates: number;
  alias: string;
}

/**
 * The command that adds `wanted` to `store`: `keytool -importcert -cacerts` for a JDK 9+ default cacerts,
 * `-keystore PATH` otherwise; the JVM's own keytool when the one on PATH belongs to another JVM; sudo when
 * this user cannot write the file. A file of several certificates goes through a PKCS#12 and -importkeystore.
 */
export function keytoolImport(
  store: JavaStoreFacts,
  wanted: ImportWanted,
  java: Pick<JavaFacts, 'keytoolOnPath' | 'options'>,
  platform: NodeJS.Platform,
): string {
  // Windows lines are for PowerShell, the others for a POSIX shell.
  const shellWord = quoteFor(platform === 'win32' ? 'powershell' : 'posix');
  const own = store.jvm?.keytool ?? null;
  const keytool =
    own && own !== java.keytoolOnPath ? (platform === 'win32' ? powerShellCommand(own) : quotePosix(own)) : 'keytool';
  const sudo = !store.writable && platform !== 'win32' ? 'sudo ' : '';
  const admin = !store.writable && platform === 'win32' ? '   (as administrator)' : '';
  // With a password of its own in javax.net.ssl.trustStorePassword, keytool asks for it rather than this line showing it.
  const storepass = java.options.trustStorePassword ? '' : ` -storepass ${STOREPASS}`;
  const cacerts = store.source === 'cacerts' && major(store.jvm?.version ?? null) >= 9;
  if (wanted.certificates <= 1) {
    const target = cacerts ? '-cacerts' : `-keystore ${shellWord(store.path)}`;
    return `${sudo}${keytool} -importcert ${target} -alias ${shellWord(wanted.alias)} -file ${shellWord(wanted.file)}${storepass} -noprompt${admin}`;
  }
  const p12 = `${basename(wanted.file, extname(wanted.file))}-java.p12`;
  const convert = `tlswitness convert ${shellWord(wanted.file)} --to p12 -o ${shellWord(p12)} --password ${STOREPASS}`;
  return `${convert} && ${sudo}${keytool} -importkeystore -srckeystore ${shellWord(p12)} -srcstorepass ${STOREPASS} -destkeystore ${shellWord(store.realPath)}${storepass.replace('-storepass', '-deststorepass')} -noprompt${admin}`;
}

function where(store: JavaStoreFacts, java: JavaFacts): string {
  const linked = store.realPath !== store.path ? ` -> ${store.realPath}` : '';
  if (store.source === 'option')
    return `-Djavax.net.ssl.trustStore=${store.path}${linked} (from ${java.options.trustStore?.variable})`;
  return `${store.path}${linked}`;
}

function unusable(store: JavaStoreFacts, java: JavaFacts, label: string): Finding | null {
  const c = store.contents;
  if (c.state === 'read') return null;
  const byOption = store.source === 'option';
  const undo = byOption ? `fix or remove -Djavax.net.ssl.trustStore in ${java.options.trustStore!.variable}` : null;
  if (c.state === 'missing') {
    // Debian and Ubuntu build /etc/ssl/certs/java/cacerts from the system store with ca-certificates-java.
    const debian =
      store.realPath === '/etc/ssl/certs/java/cacerts' ? 'sudo apt-get install --reinstall ca-certificates-java' : null;
    return finding(
      'client-trust',
      'broken',
      store.path,
      `${label} is missing: Java refuses every certificate ("the trustAnchors parameter must be non-empty")`,
      undo ?? debian ?? `reinstall the JDK in ${store.jvm?.home ?? 'use'}`,
    );
  }
  if (c.state === 'wrong-password') {
    if (!java.options.trustStorePassword) {
      return finding(
        'client-trust',
        'warning',
        store.path,
        `${label} (${c.format}): ${c.error}; doctor cannot tell what it trusts`,
        `give its password as -Djavax.net.ssl.trustStorePassword=... in JAVA_TOOL_OPTIONS, as the app does`,
      );
    }
    return finding(
      'client-trust',
      'broken',
      store.path,
      `${label} (${c.format}): ${c.error}: Java cannot load it and fails every TLS connection`,
      `fix -Djavax.net.ssl.trustStorePassword in ${java.options.trustStorePassword.variable}`,
    );
  }
  const what =
    c.state === 'damaged'
      ? `${c.format ? `a damaged ${c.format} keystore` : 'not a keystore'} (${c.error})`
      : `unreadable (${c.error})`;
  return finding(
    'client-trust',
    'broken',
    store.path,
    `${label} is ${what}: Java cannot load it and fails every TLS connection`,
    undo ?? `restore it: reinstall the JDK in ${store.jvm?.home ?? 'use'}`,
  );
}

type JavaSnapshot = Pick<DoctorSnapshot, 'corporate' | 'localCa' | 'platform'> & { java: JavaFacts };

function storeFindings(store: JavaStoreFacts, snapshot: JavaSnapshot): Finding[] {
  const java = snapshot.java;
  const owner = store.source === 'option' ? 'every JVM started with this environment' : describeJvm(store.jvm!);
  const label = where(store, java);
  const broken = unusable(store, java, label);
  if (broken) return [broken];
  const contents = store.contents as Extract<JavaStoreFacts['contents'], { state: 'read' }>;
  const uses = `${owner} uses ${label} (${contents.format}, ${count(contents.certificates.length, 'certificate')})`;
  if (!contents.certificates.length) {
    return [
      finding(
        'client-trust',
        'broken',
        store.path,
        `${uses}: no trusted certificate, so Java refuses every certificate`,
        store.source === 'option'
          ? `fix or remove -Djavax.net.ssl.trustStore in ${java.options.trustStore!.variable}`
          : `reinstall the JDK in ${store.jvm!.home}`,
      ),
    ];
  }
  const perFile = new Map<string, number>();
  for (const c of snapshot.corporate) perFile.set(c.file, (perFile.get(c.file) ?? 0) + 1);
  const trusted: string[] = [];
  const missing: Array<{ file: string; cert: CertFact; rekeyed: boolean }> = [];
  for (const corp of snapshot.corporate) {
    const how = membership(corp.cert, contents.certificates);
    if (how === 'exact' || how === 'same-key') trusted.push(`trusts ${corp.cert.subject}`);
    else missing.push({ ...corp, rekeyed: how === 'other-key' });
  }
  const out: Finding[] = [];
  const message = [uses, ...trusted].join('; ');
  if (missing.length) {
    const what = missing
      .map((m) =>
        m.rekeyed
          ? `holds a different "${m.cert.subject}" (same name, another key), so chains from ${m.file} do not verify`
          : `does not trust ${m.cert.subject} (${m.file})`,
      )
      .join('; ');
    // One line per file: a bundle's certificates go in together.
    const files = [...new Map(missing.map((m) => [m.file, m])).values()];
    const lines = files.map((m) =>
      keytoolImport(
        store,
        { file: m.file, certificates: perFile.get(m.file) ?? 1, alias: javaAlias(m.cert) },
        java,
        snapshot.platform,
      ),
    );
    out.push(finding('client-trust', 'warning', store.path, `${what}; ${message}`, lines.join(' && ')));
  } else out.push(finding('client-trust', snapshot.corporate.length ? 'ok' : 'info', store.path, message));
  const local = snapshot.localCa.cert;
  if (local) {
    const how = membership(local, contents.certificates);
    if (how === 'exact' || how === 'same-key')
      out.push(finding('client-trust', 'info', store.path, `trusts the tlswitness local CA (${local.subject})`));
    else {
      const line = keytoolImport(
        store,
        { file: snapshot.localCa.certPath, certificates: 1, alias: localCaAlias(local) },
        java,
        snapshot.platform,
      );
      out.push(
        finding(
          'client-trust',
          'info',
          store.path,
          `does not trust the tlswitness local CA ${local.subject} (needed only for Java apps that go through the proxy)`,
          line,
        ),
      );
    }
  }
  return out;
}

export function checkJava(snapshot: Pick<DoctorSnapshot, 'corporate' | 'localCa' | 'platform' | 'java'>): Finding[] {
  const java = snapshot.java;
  if (!java) return [];
  // Maven, Gradle and most launch scripts run $JAVA_HOME/bin/java, and fail before any TLS when it is not there.
  const home = java.javaHomeProblem
    ? [
        finding(
          'client-trust',
          'warning',
          `JAVA_HOME=${java.javaHomeProblem.home}`,
          `is not a Java installation (${java.javaHomeProblem.why}): tools that start Java from JAVA_HOME (Maven, Gradle, launch scripts) fail`,
          java.jvms.length
            ? `point it at a JDK, e.g. export JAVA_HOME=${java.jvms[0]!.home}`
            : 'point it at a JDK, or unset it',
        ),
      ]
    : [];
  return [...home, ...java.stores.flatMap((store) => storeFindings(store, { ...snapshot, java }))];
}

/** The `Tools looked at` line for Java. */
export function javaTool(java: JavaFacts | undefined): Finding[] {
  if (!java) return [];
  if (!java.jvms.length) return [finding('tool', 'info', 'java', 'not found (no JAVA_HOME, no java on PATH), skipped')];
  return [finding('tool', 'info', 'java', java.jvms.map(describeJvm).join('; '))];
}
