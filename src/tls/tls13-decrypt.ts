// TLS 1.3 handshake record protection (RFC 8446 5.2, 7.1, 7.3): derive the server's handshake
// key and IV from SERVER_HANDSHAKE_TRAFFIC_SECRET and open its encrypted handshake records; pure.
import { createDecipheriv, createHmac } from 'node:crypto';

export interface Tls13Suite {
  name: string;
  hash: 'sha256' | 'sha384';
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
}

const SUITES: Record<number, Tls13Suite> = {
  0x1301: { name: 'TLS_AES_128_GCM_SHA256', hash: 'sha256', cipher: 'aes-128-gcm', keyLength: 16 },
  0x1302: { name: 'TLS_AES_256_GCM_SHA384', hash: 'sha384', cipher: 'aes-256-gcm', keyLength: 32 },
  0x1303: { name: 'TLS_CHACHA20_POLY1305_SHA256', hash: 'sha256', cipher: 'chacha20-poly1305', keyLength: 32 },
};

export function tls13Suite(cipherSuite: number): Tls13Suite | undefined {
  return SUITES[cipherSuite];
}

/**
 * HKDF-Expand-Label (RFC 8446 7.1) written on HMAC: crypto.hkdfSync always runs Extract first,
 * and the traffic secret is already a pseudorandom key.
 */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, fullLabel.length]),
    fullLabel,
    Buffer.from([context.length]),
    context,
  ]);
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1, produced = 0; produced < length; i++) {
    previous = createHmac(hash, secret)
      .update(previous)
      .update(info)
      .update(Buffer.from([i]))
      .digest();
    blocks.push(previous);
    produced += previous.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export interface RecordOpener {
  /** Opens one TLS 1.3 record (header + ciphertext); returns the inner content type and plaintext. */
  open(header: Buffer, ciphertext: Buffer): { contentType: number; plaintext: Buffer };
}

export function recordOpener(suite: Tls13Suite, trafficSecret: Buffer): RecordOpener {
  const key = hkdfExpandLabel(suite.hash, trafficSecret, 'key', Buffer.alloc(0), suite.keyLength);
  const iv = hkdfExpandLabel(suite.hash, trafficSecret, 'iv', Buffer.alloc(0), 12);
  let sequence = 0n;
  return {
    open(header, ciphertext) {
      if (ciphertext.length < 16) throw new Error('record shorter than its authentication tag');
      const nonce = Buffer.from(iv);
      const seq = Buffer.alloc(8);
      seq.writeBigUInt64BE(sequence++);
      for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
      const body = ciphertext.subarray(0, ciphertext.length - 16);
      const tag = ciphertext.subarray(ciphertext.length - 16);
      const decipher = createDecipheriv(suite.cipher, key, nonce, { authTagLength: 16 } as never) as ReturnType<
        typeof createDecipheriv
      > & {
        setAuthTag(tag: Buffer): void;
        setAAD(aad: Buffer, options?: { plaintextLength: number }): void;
      };
      decipher.setAAD(header, { plaintextLength: body.length });
      decipher.setAuthTag(tag);
      const inner = Buffer.concat([decipher.update(body), decipher.final()]);
      // TLSInnerPlaintext: content, then the real content type, then zero padding.
      let end = inner.length - 1;
      while (end >= 0 && inner[end] === 0) end--;
      if (end < 0) throw new Error('record has no content type');
      return { contentType: inner[end]!, plaintext: inner.subarray(0, end) };
    },
  };
}

/** The secret from a keylog line `SERVER_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>`. */
export function serverHandshakeSecret(keylogLines: string[]): Buffer | null {
  for (const line of keylogLines) {
    const [label, , secret] = line.trim().split(' ');
    if (label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET' && secret) return Buffer.from(secret, 'hex');
  }
  return null;
}
