// The truststore settings a JVM takes from JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and _JAVA_OPTIONS; pure.
import test from 'ava';
import { javaTrustOptions, splitJavaOptions } from '../../src/doctor/java-options.js';

test('options variables: later ones win (JAVA_TOOL_OPTIONS < JDK_JAVA_OPTIONS < _JAVA_OPTIONS), quotes keep spaces', (t) => {
  const options = javaTrustOptions({
    JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStore=/a.jks -Djavax.net.ssl.trustStoreType=JKS',
    JDK_JAVA_OPTIONS: '"-Djavax.net.ssl.trustStore=/my stores/b.p12"',
  });
  t.deepEqual(options.trustStore, { value: '/my stores/b.p12', variable: 'JDK_JAVA_OPTIONS' });
  t.deepEqual(options.trustStoreType, { value: 'JKS', variable: 'JAVA_TOOL_OPTIONS' });
  t.deepEqual(
    javaTrustOptions({
      JDK_JAVA_OPTIONS: '-Djavax.net.ssl.trustStore=/b',
      _JAVA_OPTIONS: "-Djavax.net.ssl.trustStore='/c d'",
    }).trustStore,
    { value: '/c d', variable: '_JAVA_OPTIONS' },
  );
  t.is(javaTrustOptions({ JAVA_TOOL_OPTIONS: '-Djavax.net.ssl.trustStoreX=/a' }).trustStore, null);
});

test('splitting: runs of white space, quoted words, empty quotes', (t) => {
  t.deepEqual(splitJavaOptions('  -Xmx1g\t-Da="b c"  \'\' -Dx=y '), ['-Xmx1g', '-Da=b c', '', '-Dx=y']);
  t.deepEqual(splitJavaOptions(''), []);
});
