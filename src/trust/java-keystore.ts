// Recognises Java's own keystore formats (JKS, JCEKS) by their magic number, and says the keytool
// command that turns one into the PKCS#12 this tool (and every non-Java client) reads.
import { quoteFor, type CommandSyntax } from '../shell-quote.js';

/** JKS starts 0xFEEDFEED, JCEKS 0xCECECECE (sun.security.provider.JavaKeyStore, com.sun.crypto.provider.JceKeyStore). */
export function javaKeystoreKind(data: Buffer): 'JKS' | 'JCEKS' | null {
  if (data.length < 4) return null;
  const magic = data.readUInt32BE(0);
  return magic === 0xfeedfeed ? 'JKS' : magic === 0xcececece ? 'JCEKS' : null;
}

/** The keytool line converting `file` to PKCS#12 beside it (X.jks -> X.p12). */
export function keytoolToPkcs12(
  file: string,
  kind: 'JKS' | 'JCEKS',
  syntax: CommandSyntax = 'posix',
): { command: string; output: string } {
  const shellWord = quoteFor(syntax);
  const output = /\.(jks|jceks|keystore|ks|truststore)$/i.test(file) ? file.replace(/\.[^.]+$/, '.p12') : `${file}.p12`;
  const storeType = kind === 'JCEKS' ? ' -srcstoretype JCEKS' : '';
  return {
    command: `keytool -importkeystore -srckeystore ${shellWord(file)}${storeType} -destkeystore ${shellWord(output)} -deststoretype PKCS12`,
    output,
  };
}
