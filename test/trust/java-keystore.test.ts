// Java keystore recognition and the keytool line that converts one.
import test from 'ava';
import { javaKeystoreKind, keytoolToPkcs12 } from '../../src/trust/java-keystore.js';

test('JKS and JCEKS by their magic; PKCS#12, PEM and short files are not', (t) => {
  t.is(javaKeystoreKind(Buffer.from('feedfeed00000002', 'hex')), 'JKS');
  t.is(javaKeystoreKind(Buffer.from('cececece00000002', 'hex')), 'JCEKS');
  t.is(javaKeystoreKind(Buffer.from('3082', 'hex')), null);
  t.is(javaKeystoreKind(Buffer.from('-----BEGIN CERTIFICATE-----')), null);
});

test('the keytool line: X.jks becomes X.p12, JCEKS names its type, odd paths are quoted', (t) => {
  t.deepEqual(keytoolToPkcs12('/etc/app/cacerts.jks', 'JKS'), {
    command:
      'keytool -importkeystore -srckeystore /etc/app/cacerts.jks -destkeystore /etc/app/cacerts.p12 -deststoretype PKCS12',
    output: '/etc/app/cacerts.p12',
  });
  t.is(
    keytoolToPkcs12('cacerts', 'JCEKS').command,
    'keytool -importkeystore -srckeystore cacerts -srcstoretype JCEKS -destkeystore cacerts.p12 -deststoretype PKCS12',
  );
  t.is(keytoolToPkcs12("my store's.jks", 'JKS').output, "my store's.p12");
  t.regex(keytoolToPkcs12("my store's.jks", 'JKS').command, /-srckeystore 'my store'\\''s\.jks' /);
  t.is(
    keytoolToPkcs12("C:\\Users\\o'brien\\app.jks", 'JKS', 'powershell').command,
    "keytool -importkeystore -srckeystore 'C:\\Users\\o''brien\\app.jks' -destkeystore 'C:\\Users\\o''brien\\app.p12' -deststoretype PKCS12",
  );
});
