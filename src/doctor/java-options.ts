// The truststore settings a JVM takes from the environment (-Djavax.net.ssl.trustStore and friends in
// JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, _JAVA_OPTIONS); pure.
import type { Env } from './snapshot.js';

/**
 * In the order the JVM applies them, so a later one wins: JAVA_TOOL_OPTIONS is read first by every JVM,
 * JDK_JAVA_OPTIONS is prepended to the `java` launcher's arguments (JDK 9+), _JAVA_OPTIONS comes last and
 * overrides the command line (HotSpot's Arguments::parse).
 */
export const JAVA_OPTION_VARIABLES = ['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', '_JAVA_OPTIONS'] as const;

export interface JavaSetting {
  value: string;
  /** The variable it came from. */
  variable: string;
}

export interface JavaTrustOptions {
  trustStore: JavaSetting | null;
  trustStoreType: JavaSetting | null;
  /** Only whether one is set and where: its value is never shown. */
  trustStorePassword: JavaSetting | null;
}

/** Splits an options variable as the JVM does: on white space, with '…' and "…" quoting (JDK 9+). */
export function splitJavaOptions(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let started = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

const PROPERTIES = {
  'javax.net.ssl.trustStore': 'trustStore',
  'javax.net.ssl.trustStoreType': 'trustStoreType',
  'javax.net.ssl.trustStorePassword': 'trustStorePassword',
} as const;

export function javaTrustOptions(env: Env): JavaTrustOptions {
  const out: JavaTrustOptions = { trustStore: null, trustStoreType: null, trustStorePassword: null };
  for (const variable of JAVA_OPTION_VARIABLES) {
    for (const word of splitJavaOptions(env[variable] ?? '')) {
      const match = /^-D([^=]+)=(.*)$/s.exec(word);
      const key = match && PROPERTIES[match[1] as keyof typeof PROPERTIES];
      if (key) out[key] = { value: match[2]!, variable };
    }
  }
  return out;
}
