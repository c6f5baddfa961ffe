// Reads Java's own keystore formats (JKS, and JCEKS without secret keys): the trusted-certificate entries
// as DER, the private-key entries counted. Pure over bytes and a password; the integrity digest is checked
// with node:crypto's SHA-1, as keytool checks it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { javaKeystoreKind } from './java-keystore.js';

export interface JksEntry {
  alias: string;
  der: Buffer;
}

export interface JksContents {
  kind: 'JKS' | 'JCEKS';
  /** Type 2 entries: certificates trusted as anchors (what a truststore such as cacerts holds). */
  trusted: JksEntry[];
  /** Type 1 entries (a private key and its chain): counted, never decrypted. */
  keyEntries: number;
  /** `unchecked` when no password was given (keytool -list then warns the same way). */
  integrity: 'ok' | 'mismatch' | 'unchecked';
}

export class JksError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JksError';
  }
}

// Entry tags of sun.security.provider.JavaKeyStore and com.sun.crypto.provider.JceKeyStore.
const PRIVATE_KEY = 1;
const TRUSTED_CERT = 2;
const SECRET_KEY = 3;
// The integrity digest is SHA-1 over the password (UTF-16BE), this phrase, then the store's bytes (JavaKeyStore.getPreKeyedHash).
const DIGEST_PHRASE = 'Mighty Aphrodite';
const DIGEST_BYTES = 20;

class Reader {
  offset = 0;
  constructor(readonly data: Buffer) {}

  private need(bytes: number, what: string): void {
    if (bytes < 0 || this.offset + bytes > this.data.length)
      throw new JksError(`truncated: ${what} runs past the end of the file`);
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(length: number, what: string): Buffer {
    this.need(length, what);
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** DataInput.readUTF: a 2-byte length, then modified UTF-8 (read as UTF-8: aliases are plain text). */
  utf(what: string): string {
    this.need(2, what);
    const length = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return this.bytes(length, what).toString('utf8');
  }

  certificate(version: number, what: string): Buffer {
    if (version === 2) this.utf(`${what} type`);
    return this.bytes(this.u32(`${what} length`), what);
  }
}

/** Throws JksError for a file that is not a JKS/JCEKS store, is cut short, or holds JCEKS secret keys. */
export function readJks(data: Buffer, password?: string): JksContents {
  const kind = javaKeystoreKind(data);
  if (!kind) throw new JksError('not a Java keystore (no FEEDFEED or CECECECE magic number)');
  const read = new Reader(data);
  read.u32('magic');
  const version = read.u32('version');
  if (version !== 1 && version !== 2) throw new JksError(`unknown keystore version ${version}`);
  const count = read.u32('entry count');
  const trusted: JksEntry[] = [];
  let keyEntries = 0;
  // A corrupt count ends at the file's end (every entry reads bytes), not in a long loop.
  for (let i = 0; i < count; i++) {
    const tag = read.u32(`entry ${i + 1}`);
    if (tag === SECRET_KEY)
      throw new JksError('holds a secret-key entry (a serialized Java object), which is not read here');
    if (tag !== PRIVATE_KEY && tag !== TRUSTED_CERT) throw new JksError(`entry ${i + 1} has unknown type ${tag}`);
    const alias = read.utf(`entry ${i + 1} alias`);
    read.bytes(8, `entry ${i + 1} date`);
    if (tag === TRUSTED_CERT) {
      trusted.push({ alias, der: Buffer.from(read.certificate(version, `certificate "${alias}"`)) });
      continue;
    }
    keyEntries++;
    read.bytes(read.u32(`key "${alias}" length`), `key "${alias}"`);
    const chain = read.u32(`key "${alias}" chain length`);
    for (let c = 0; c < chain; c++) read.certificate(version, `key "${alias}" chain certificate`);
  }
  const body = data.subarray(0, read.offset);
  const stored = read.bytes(DIGEST_BYTES, 'integrity digest');
  if (read.offset !== data.length) throw new JksError('trailing bytes after the integrity digest');
  let integrity: JksContents['integrity'] = 'unchecked';
  if (password !== undefined) {
    const digest = createHash('sha1')
      .update(Buffer.from(password, 'utf16le').swap16())
      .update(DIGEST_PHRASE, 'utf8')
      .update(body)
      .digest();
    integrity = timingSafeEqual(digest, stored) ? 'ok' : 'mismatch';
  }
  return { kind, trusted, keyEntries, integrity };
}
