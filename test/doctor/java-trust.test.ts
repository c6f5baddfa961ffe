// doctor's Java truststore judgement on hand-built facts: which CAs each JVM trusts, and the keytool line; pure.
import test from 'ava';
import { javaTrustOptions } from '../../src/doctor/java-options.js';
import { checkJava, javaAlias, javaTool, keytoolImport } from '../../src/doctor/java-trust.js';
import type { CertFact, DoctorSnapshot, JavaFacts, JavaStoreFacts, JvmFacts } from '../../src/doctor/snapshot.js';

const cert = (subject: string, sha256: string, spkiSha256 = `spki-${sha256}`): CertFact => ({
  subject,
  sha256,
  spkiSha256,
  notBefore: '2020-01-01T00:00:00.000Z',
  notAfter: '2040-01-01T00:00:00.000Z',
  publicRoot: false,
});

const CORP = cert('CN=Example Corp Root CA,O=Example Corp,C=US', 'AA:01');
const PUBLIC = cert('CN=ISRG Root X1,O=Internet Security Research Group,C=US', 'BB:02');
const LOCAL = cert(
  'CN=tlswitness CA 1234abcd,OU=laptop 1234abcd,O=tlswitness local CA',
  'C0:FF:EE:12:34:56:78:9A:BC:DE:F0:11',
);

const JDK17: JvmFacts = {
  home: '/usr/lib/jvm/java-17-openjdk-amd64',
  from: 'java on PATH, /usr/bin/java',
  version: '17.0.15',
  keytool: '/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool',
};
const JDK8: JvmFacts = {
  home: '/opt/jdk8/jre',
  from: 'JAVA_HOME',
  version: '1.8.0_402',
  keytool: '/opt/jdk8/jre/bin/keytool',
};

function cacerts(certificates: CertFact[], over: Partial<JavaStoreFacts> = {}): JavaStoreFacts {
  return {
    path: `${JDK17.home}/lib/security/cacerts`,
    realPath: '/etc/ssl/certs/java/cacerts',
    source: 'cacerts',
    jvm: JDK17,
    writable: true,
    contents: { state: 'read', format: 'JKS', certificates },
    ...over,
  };
}

function java(
  stores: JavaStoreFacts[],
  env: Record<string, string> = {},
  keytoolOnPath: string | null = JDK17.keytool,
): JavaFacts {
  return {
    jvms: [...new Set(stores.map((s) => s.jvm).filter((j): j is JvmFacts => j !== null))],
    options: javaTrustOptions(env),
    stores,
    keytoolOnPath,
  };
}

function snapshot(
  facts: JavaFacts,
  corporate: CertFact[] = [CORP],
  local: CertFact | null = null,
  platform: NodeJS.Platform = 'linux',
): Pick<DoctorSnapshot, 'corporate' | 'localCa' | 'platform' | 'java'> {
  return {
    platform,
    java: facts,
    corporate: corporate.map((c) => ({ file: '/home/u/corp-root.pem', cert: c })),
    localCa: {
      certsDir: '/home/u/.config/tlswitness',
      certPath: '/home/u/.config/tlswitness/ca/certs/ca.pem',
      keyPath: '/k',
      cert: local,
      error: null,
      keyMode: 0o600,
    },
  };
}

test('a cacerts without the corporate CA: a warning naming it, and the keytool -importcert -cacerts line', (t) => {
  const [found, ...rest] = checkJava(snapshot(java([cacerts([PUBLIC])])));
  t.is(rest.length, 0);
  t.is(found!.check, 'client-trust');
  t.is(found!.severity, 'warning');
  t.regex(
    found!.message,
    /^does not trust CN=Example Corp Root CA,O=Example Corp,C=US \(\/home\/u\/corp-root\.pem\); Java 17\.0\.15 in \/usr\/lib\/jvm\/java-17-openjdk-amd64 \(java on PATH, \/usr\/bin\/java\) uses \S+\/lib\/security\/cacerts -> \/etc\/ssl\/certs\/java\/cacerts \(JKS, 1 certificate\)$/,
  );
  t.is(
    found!.action,
    'keytool -importcert -cacerts -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt',
  );
});

test('the same cacerts holding the corporate CA (or a re-issue with its key): ok, nothing to do', (t) => {
  const [exact] = checkJava(snapshot(java([cacerts([PUBLIC, CORP])])));
  t.is(exact!.severity, 'ok');
  t.regex(exact!.message, /; trusts CN=Example Corp Root CA/);
  t.is(exact!.action, null);
  const reissued = cert(CORP.subject, 'AA:99', CORP.spkiSha256);
  t.is(checkJava(snapshot(java([cacerts([reissued])])))[0]!.severity, 'ok');
  // Same name, another key: not trusted, said so.
  const rekeyed = cert(CORP.subject, 'AA:98', 'other');
  t.regex(
    checkJava(snapshot(java([cacerts([rekeyed])])))[0]!.message,
    /holds a different "CN=Example Corp Root CA.*" \(same name, another key\)/,
  );
});

test("the keytool line: sudo when not writable, the JVM's own keytool when PATH has another, -keystore for JDK 8 and jssecacerts", (t) => {
  const action = (
    store: JavaStoreFacts,
    keytoolOnPath: string | null = JDK17.keytool,
    platform: NodeJS.Platform = 'linux',
  ) => checkJava(snapshot(java([store], {}, keytoolOnPath), [CORP], null, platform))[0]!.action;
  t.is(
    action(cacerts([], { writable: false, contents: { state: 'read', format: 'JKS', certificates: [PUBLIC] } })),
    'sudo keytool -importcert -cacerts -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt',
  );
  t.is(
    action(cacerts([PUBLIC]), '/opt/temurin/bin/keytool'),
    '/usr/lib/jvm/java-17-openjdk-amd64/bin/keytool -importcert -cacerts -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt',
  );
  // JDK 8's keytool has no -cacerts.
  t.is(
    action(
      cacerts([PUBLIC], {
        jvm: JDK8,
        path: '/opt/jdk8/jre/lib/security/cacerts',
        realPath: '/opt/jdk8/jre/lib/security/cacerts',
      }),
      JDK8.keytool,
    ),
    'keytool -importcert -keystore /opt/jdk8/jre/lib/security/cacerts -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt',
  );
  // -cacerts means cacerts: a jssecacerts (which Java then uses instead) is named by path.
  t.regex(
    action(
      cacerts([PUBLIC], {
        source: 'jssecacerts',
        path: `${JDK17.home}/lib/security/jssecacerts`,
        realPath: `${JDK17.home}/lib/security/jssecacerts`,
      }),
    )!,
    /-importcert -keystore \/usr\/lib\/jvm\/java-17-openjdk-amd64\/lib\/security\/jssecacerts -alias/,
  );
  t.regex(
    action(cacerts([PUBLIC], { writable: false }), JDK17.keytool, 'win32')!,
    /^keytool -importcert .* -noprompt {3}\(as administrator\)$/,
  );
  // Windows lines are for PowerShell: its quoting ('' inside single quotes), and `&` to run a quoted path.
  const jdk: JvmFacts = {
    home: "C:\\Program Files\\O'Java\\jdk-17",
    from: 'JAVA_HOME',
    version: '17.0.2',
    keytool: "C:\\Program Files\\O'Java\\jdk-17\\bin\\keytool.exe",
  };
  const store = cacerts([PUBLIC], {
    jvm: jdk,
    source: 'jssecacerts',
    path: "C:\\Program Files\\O'Java\\jdk-17\\lib\\security\\jssecacerts",
    realPath: 'x',
  });
  t.is(
    action(store, null, 'win32'),
    "& 'C:\\Program Files\\O''Java\\jdk-17\\bin\\keytool.exe' -importcert -keystore 'C:\\Program Files\\O''Java\\jdk-17\\lib\\security\\jssecacerts' -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt",
  );
});

test('-Djavax.net.ssl.trustStore in JAVA_TOOL_OPTIONS: that store is judged, by path; its own password is asked for, never printed', (t) => {
  const store = cacerts([PUBLIC], {
    path: '/srv/app/trust.p12',
    realPath: '/srv/app/trust.p12',
    source: 'option',
    contents: { state: 'read', format: 'PKCS12', certificates: [PUBLIC] },
  });
  const [found] = checkJava(
    snapshot(java([store], { JAVA_TOOL_OPTIONS: '-Xmx1g -Djavax.net.ssl.trustStore=/srv/app/trust.p12' })),
  );
  t.regex(
    found!.message,
    /every JVM started with this environment uses -Djavax\.net\.ssl\.trustStore=\/srv\/app\/trust\.p12 \(from JAVA_TOOL_OPTIONS\) \(PKCS12, 1 certificate\)/,
  );
  t.is(
    found!.action,
    'keytool -importcert -keystore /srv/app/trust.p12 -alias example-corp-root-ca -file /home/u/corp-root.pem -storepass changeit -noprompt',
  );
  const secret = checkJava(
    snapshot(
      java([store], {
        JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/srv/app/trust.p12 -Djavax.net.ssl.trustStorePassword=s3cret',
      }),
    ),
  )[0]!;
  t.is(
    secret.action,
    'keytool -importcert -keystore /srv/app/trust.p12 -alias example-corp-root-ca -file /home/u/corp-root.pem -noprompt',
  );
  t.notRegex(JSON.stringify(secret), /s3cret/);
});

test('a file of several certificates: keytool -importcert would take the first only, so it goes in through a PKCS#12', (t) => {
  const store = cacerts([PUBLIC]);
  const line = keytoolImport(
    store,
    { file: '/home/u/corp bundle.pem', certificates: 2, alias: 'x' },
    java([store]),
    'linux',
  );
  t.is(
    line,
    "tlswitness convert '/home/u/corp bundle.pem' --to p12 -o 'corp bundle-java.p12' --password changeit && keytool -importkeystore -srckeystore 'corp bundle-java.p12' -srcstorepass changeit -destkeystore /etc/ssl/certs/java/cacerts -deststorepass changeit -noprompt",
  );
});

test('the local CA: said whether trusted; when not, the line uses the alias ca install uses', (t) => {
  const absent = checkJava(snapshot(java([cacerts([PUBLIC])]), [], LOCAL));
  t.is(absent.length, 2);
  t.is(absent[0]!.severity, 'info');
  t.is(absent[1]!.severity, 'info');
  t.regex(absent[1]!.message, /does not trust the tlswitness local CA CN=tlswitness CA 1234abcd/);
  t.is(
    absent[1]!.action,
    'keytool -importcert -cacerts -alias tlswitness-c0ffee123456 -file /home/u/.config/tlswitness/ca/certs/ca.pem -storepass changeit -noprompt',
  );
  const present = checkJava(snapshot(java([cacerts([PUBLIC, LOCAL])]), [], LOCAL));
  t.regex(present[1]!.message, /^trusts the tlswitness local CA/);
  t.is(present[1]!.action, null);
});

test('a store Java cannot use: missing (Debian: reinstall ca-certificates-java), damaged, empty, or locked by another password', (t) => {
  const missing = checkJava(
    snapshot(java([cacerts([], { contents: { state: 'missing', error: 'no such file' } })])),
  )[0]!;
  t.is(missing.severity, 'broken');
  t.regex(missing.message, /is missing: Java refuses every certificate/);
  t.is(missing.action, 'sudo apt-get install --reinstall ca-certificates-java');
  const damaged = checkJava(
    snapshot(
      java([
        cacerts([], {
          contents: {
            state: 'damaged',
            format: 'JKS',
            error: 'truncated: integrity digest runs past the end of the file',
          },
        }),
      ]),
    ),
  )[0]!;
  t.is(damaged.severity, 'broken');
  t.regex(damaged.message, /is a damaged JKS keystore \(truncated/);
  t.is(checkJava(snapshot(java([cacerts([])])))[0]!.severity, 'broken');
  const locked = cacerts([], {
    source: 'option',
    path: '/srv/t.p12',
    realPath: '/srv/t.p12',
    contents: {
      state: 'wrong-password',
      format: 'PKCS12',
      error: 'it does not open with the default password changeit',
    },
  });
  t.is(
    checkJava(snapshot(java([locked], { _JAVA_OPTIONS: '-Djavax.net.ssl.trustStore=/srv/t.p12' })))[0]!.severity,
    'warning',
  );
  t.is(
    checkJava(
      snapshot(
        java([locked], { _JAVA_OPTIONS: '-Djavax.net.ssl.trustStore=/srv/t.p12 -Djavax.net.ssl.trustStorePassword=x' }),
      ),
    )[0]!.severity,
    'broken',
  );
});

test('no JVM: no Java finding beyond "not found" among the tools; the alias comes from the CN', (t) => {
  t.deepEqual(checkJava(snapshot(java([]))), []);
  t.regex(javaTool(java([]))[0]!.message, /^not found/);
  t.deepEqual(javaTool(undefined), []);
  t.is(javaAlias(cert('CN=Zscaler Root CA,OU=Zscaler Inc.,O=Zscaler Inc.', 'x')), 'zscaler-root-ca');
  t.is(javaAlias(cert('O=No CN Here', 'x')), 'corporate-ca');
});

test('JAVA_HOME naming no Java installation: a warning, pointing at a JVM that was found', (t) => {
  const facts: JavaFacts = {
    ...java([cacerts([PUBLIC, CORP])]),
    javaHomeProblem: { home: '/opt/jdk-removed', why: 'no such directory' },
  };
  const [home, store] = checkJava(snapshot(facts));
  t.is(home!.subject, 'JAVA_HOME=/opt/jdk-removed');
  t.is(home!.severity, 'warning');
  t.regex(
    home!.message,
    /^is not a Java installation \(no such directory\): tools that start Java from JAVA_HOME \(Maven, Gradle/,
  );
  t.is(home!.action, 'point it at a JDK, e.g. export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64');
  t.is(store!.severity, 'ok');
});
