// `tlswitness doctor` on Java truststores keytool made (JKS and PKCS#12), named by -Djavax.net.ssl.trustStore
// in JAVA_TOOL_OPTIONS: the corporate CA is found missing, the printed keytool line adds it, then it is found.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCli } from '../helpers/fixtures.js';
import { KEYTOOL_MISSING, keytoolTruststore } from '../helpers/java-stores.js';
import { makeTestCa } from '../helpers/pki.js';

const dir = mkdtempSync(join(tmpdir(), 'tlswitness-doctor-java-'));
const corpFile = join(dir, 'corp-root.pem');
const otherFile = join(dir, 'other-root.pem');
const bin = join(dir, 'bin');

interface JsonFinding {
  check: string;
  severity: string;
  subject: string;
  message: string;
  action: string | null;
}

test.before(async () => {
  const [corp, other] = await Promise.all([
    makeTestCa([
      { type: 'O', value: 'Example Corp' },
      { type: 'CN', value: 'Example Corp Java Root' },
    ]),
    makeTestCa('Some Other Root'),
  ]);
  writeFileSync(corpFile, corp.pem);
  writeFileSync(otherFile, other.pem);
  // PATH holds java and keytool only: no python3, curl or git to ask, so each run is quick.
  mkdirSync(bin);
  if (!KEYTOOL_MISSING)
    for (const tool of ['java', 'keytool'])
      symlinkSync(
        realpathSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim()),
        join(bin, tool),
      );
});

const withKeytool = KEYTOOL_MISSING ? test.skip : test;
if (KEYTOOL_MISSING) console.log(`doctor-java.test.ts: skipped: ${KEYTOOL_MISSING}`);

async function javaFindings(store: string, extra: Record<string, string> = {}): Promise<JsonFinding[]> {
  const env = cleanEnv({ PATH: bin, HOME: dir, JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${store}`, ...extra });
  const result = await runCli(['doctor', '--json', '--extra-ca', corpFile], env, dir);
  const report = JSON.parse(result.stdout) as { findings: JsonFinding[] };
  // Java's findings are about a truststore file; the other clients' name the client.
  return report.findings.filter((f) => f.check === 'client-trust' && f.subject.startsWith('/'));
}

function sh(command: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(
      '/bin/sh',
      ['-c', command],
      { env: { PATH: bin, HOME: dir }, cwd: dir, timeout: 30_000 },
      (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
    ),
  );
}

for (const type of ['JKS', 'PKCS12'] as const) {
  withKeytool(
    `a ${type} truststore without the corporate CA: a warning with a keytool line that, run, makes doctor find it`,
    async (t) => {
      const store = await keytoolTruststore(dir, `app-${type}`, type, [{ alias: 'other', file: otherFile }]);
      const [before, ...rest] = await javaFindings(store);
      t.is(rest.length, 0);
      t.is(before!.severity, 'warning');
      t.is(before!.subject, store);
      t.regex(
        before!.message,
        new RegExp(
          `^does not trust CN=Example Corp Java Root,O=Example Corp \\(${corpFile}\\); every JVM started with this environment uses -Djavax\\.net\\.ssl\\.trustStore=${store} \\(from JAVA_TOOL_OPTIONS\\) \\(${type}, 1 certificate\\)$`,
        ),
      );
      t.is(
        before!.action,
        `keytool -importcert -keystore ${store} -alias example-corp-java-root -file ${corpFile} -storepass changeit -noprompt`,
      );
      await sh(before!.action!);
      const [after] = await javaFindings(store);
      t.is(after!.severity, 'ok');
      t.regex(after!.message, /\(\w+, 2 certificates\); trusts CN=Example Corp Java Root,O=Example Corp$/);
      t.is(after!.action, null);
    },
  );
}

withKeytool(
  "a PKCS#12 made by openssl without Java's trusted attribute: Java sees no entry, doctor says it refuses everything",
  async (t) => {
    const store = join(dir, 'openssl.p12');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-nokeys',
      '-in',
      corpFile,
      '-passout',
      'pass:changeit',
      '-out',
      store,
    ]);
    const [found] = await javaFindings(store);
    t.is(found!.severity, 'broken');
    t.regex(found!.message, /\(PKCS12, 0 certificates\): no trusted certificate, so Java refuses every certificate/);
  },
);

withKeytool(
  'a truststore password other than changeit, given in the options: read with it, and not printed',
  async (t) => {
    const store = await keytoolTruststore(dir, 'secret', 'PKCS12', [{ alias: 'corp', file: corpFile }], 'Zq-s3cret');
    const [found] = await javaFindings(store, {
      JAVA_TOOL_OPTIONS: `-Djavax.net.ssl.trustStore=${store} -Djavax.net.ssl.trustStorePassword=Zq-s3cret`,
    });
    t.is(found!.severity, 'ok');
    t.notRegex(JSON.stringify(found), /Zq-s3cret/);
    const [locked] = await javaFindings(store);
    t.is(locked!.severity, 'warning');
    t.regex(locked!.message, /does not open with the default password changeit/);
  },
);

withKeytool(
  'no option: the cacerts of JAVA_HOME and of `java` on PATH (links resolved to its real home), each judged',
  async (t) => {
    // A JDK-shaped folder: a release file and lib/security/cacerts (a JKS holding the corporate CA).
    const home = join(dir, 'jdk-11');
    mkdirSync(join(home, 'lib', 'security'), { recursive: true });
    writeFileSync(join(home, 'release'), 'IMPLEMENTOR="Example"\nJAVA_VERSION="11.0.22"\n');
    const store = await keytoolTruststore(dir, 'jdk11-cacerts', 'JKS', [{ alias: 'corp', file: corpFile }]);
    symlinkSync(store, join(home, 'lib', 'security', 'cacerts'));
    const findings = await javaFindings('', { JAVA_TOOL_OPTIONS: '', JAVA_HOME: home });
    const fromHome = findings.find((f) => f.subject === join(home, 'lib', 'security', 'cacerts'));
    t.is(fromHome?.severity, 'ok');
    t.regex(
      fromHome!.message,
      new RegExp(
        `^Java 11\\.0\\.22 in ${home} \\(JAVA_HOME\\) uses \\S+cacerts -> ${store} \\(JKS, 1 certificate\\); trusts CN=Example Corp Java Root`,
      ),
    );
    // The real JVM behind bin/java: its own cacerts, and keytool's -cacerts (JDK 9+) in the line.
    const fromPath = findings.find((f) => f.message.includes('java on PATH'));
    t.truthy(fromPath, JSON.stringify(findings));
    t.is(fromPath!.severity, 'warning');
    t.regex(fromPath!.subject, /\/lib\/security\/(jsse)?cacerts$/);
    t.regex(
      fromPath!.action!,
      new RegExp(
        `^(sudo )?keytool -importcert -cacerts -alias example-corp-java-root -file ${corpFile} -storepass changeit -noprompt$`,
      ),
    );
  },
);

withKeytool('JAVA_HOME naming a folder with no Java in it: a warning, pointing at the JVM found on PATH', async (t) => {
  const env = cleanEnv({ PATH: bin, HOME: dir, JAVA_HOME: dir });
  const result = await runCli(['doctor', '--json'], env, dir);
  const found = (JSON.parse(result.stdout) as { findings: JsonFinding[] }).findings.find(
    (f) => f.subject === `JAVA_HOME=${dir}`,
  );
  t.is(found?.severity, 'warning');
  t.regex(found!.message, /is not a Java installation \(no lib\/security in it\)/);
  t.regex(found!.action!, /^point it at a JDK, e\.g\. export JAVA_HOME=\/\S+$/);
});
