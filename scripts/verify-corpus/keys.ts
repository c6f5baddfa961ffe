// A small pool of keys generated once per run and shared by every chain of the corpus (RSA generation is slow).
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface PoolKey {
  name: string;
  type: 'ec' | 'rsa' | 'rsa-pss' | 'ed25519' | 'ed448' | 'dsa';
  privateKey: KeyObject;
  spki: Buffer;
  keyPem: string;
}

export type KeyPool = Map<string, PoolKey>;

/** Names of the P-256 keys; chains take distinct ones per certificate. */
export const EC_KEYS = Array.from({ length: 16 }, (_, i) => `ec${i + 1}`);
export const RSA_KEYS = ['rsa2048a', 'rsa2048b', 'rsa2048c'];
export const WEAK_KEYS = ['rsa1024a', 'rsa1024b', 'rsa768'];

export async function createKeyPool(): Promise<KeyPool> {
  const ec = (curve: string) => () => generate('ec', { namedCurve: curve });
  const rsa = (bits: number) => () => generate('rsa', { modulusLength: bits });
  const wanted: [string, () => Promise<{ privateKey: KeyObject; publicKey: KeyObject }>][] = [
    ...EC_KEYS.map((name): [string, ReturnType<typeof ec>] => [name, ec('prime256v1')]),
    ['p384', ec('secp384r1')],
    ...RSA_KEYS.map((name): [string, ReturnType<typeof rsa>] => [name, rsa(2048)]),
    ['rsa1024a', rsa(1024)],
    ['rsa1024b', rsa(1024)],
    ['rsa768', rsa(768)],
    ['ed1', () => generate('ed25519')],
    ['ed2', () => generate('ed25519')],
    // Less common key types, each rated by OpenSSL's security level on its own scale.
    ['p521', ec('secp521r1')],
    ['k256', ec('secp256k1')],
    ['p192', ec('prime192v1')],
    ['s112', ec('secp112r1')],
    ['bp256', ec('brainpoolP256r1')],
    ['ed448', () => generate('ed448')],
    ['rsapss', () => generate('rsa-pss', { modulusLength: 2048 })],
    ['dsa1024', () => generate('dsa', { modulusLength: 1024, divisorLength: 160 })],
  ];
  const keys = await Promise.all(
    wanted.map(async ([name, make]) => {
      const { privateKey, publicKey } = await make();
      const key: PoolKey = {
        name,
        type: privateKey.asymmetricKeyType === 'ec' ? 'ec' : (privateKey.asymmetricKeyType as PoolKey['type']),
        privateKey,
        spki: publicKey.export({ type: 'spki', format: 'der' }),
        keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
      return key;
    }),
  );
  return new Map(keys.map((k) => [k.name, k]));
}
