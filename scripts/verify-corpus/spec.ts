// The data model of the differential corpus: certificates and chains described as plain data, so a
// chain can be printed, mutated and rebuilt reproducibly before it is encoded by der-builder.ts.

/** One attribute of a distinguished name; `tag` picks the ASN.1 string type (default UTF8String, PrintableString for C). */
export interface AttrSpec {
  type: string; // 'CN' | 'O' | 'OU' | 'C' | 'L' | 'emailAddress' | 'DC' or a dotted OID
  value: string;
  tag?: 'utf8' | 'printable' | 'ia5' | 'bmp' | 't61' | 'numeric' | 'visible' | 'universal';
  /** Raw value bytes (hex) under `tag`, instead of `value` encoded (e.g. an odd-length BMPString). */
  hex?: string;
}

/** A distinguished name: each entry is one RDN (an array makes a multi-valued RDN). [] is the empty name. */
export type NameSpec = (AttrSpec | AttrSpec[])[];

/** A GeneralName. `ip` takes an address ('10.0.0.1', '::1'), an address/prefix in constraints, or raw bytes. */
export type GeneralNameSpec =
  | { dns: string }
  | { ip: string | number[] }
  | { email: string }
  | { uri: string }
  | { dn: NameSpec }
  | { rid: string }
  | { other: { oid: string; utf8: string } };

export interface SubtreeSpec {
  base: GeneralNameSpec;
  min?: number;
  max?: number;
}

/** How an extension's value bytes are damaged after encoding. */
export type Corruption = 'truncate' | 'trailing' | 'garbage' | 'empty' | 'badlength';

interface ExtBase {
  critical?: boolean;
  corrupt?: Corruption;
}

export type ExtSpec = ExtBase &
  (
    | { type: 'bc'; ca?: boolean; pathLen?: number; explicitFalse?: boolean }
    | { type: 'ku'; bits: KeyUsageBit[] }
    | { type: 'eku'; oids: string[] }
    | { type: 'san'; names: GeneralNameSpec[] }
    | { type: 'ian'; names: GeneralNameSpec[] }
    | { type: 'nc'; permitted?: SubtreeSpec[]; excluded?: SubtreeSpec[] }
    /** keyId 'auto' = SHA-1 of the certificate's SPKI; hex otherwise. */
    | { type: 'ski'; keyId?: 'auto' | string }
    /** keyId 'auto' = the issuer's SKI; hex otherwise; issuer/serial = authorityCertIssuer/Serial. */
    | {
        type: 'aki';
        keyId?: 'auto' | string | null;
        issuer?: NameSpec;
        issuerNames?: GeneralNameSpec[];
        serial?: number;
      }
    | { type: 'aia'; ocsp?: string[]; caIssuers?: string[] }
    | { type: 'policies'; oids: string[] }
    | { type: 'nsCertType'; bits: number }
    | { type: 'raw'; oid: string; hex: string }
  );

export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Non-DER but common time spellings, and broken ones ('garbage-*' breaks only that field). */
export type TimeForm = 'generalized' | 'no-seconds' | 'offset' | 'fraction' | 'garbage-before' | 'garbage-after';

export type Digest = 'sha256' | 'sha384' | 'sha1';

export interface CertSpec {
  /** Name of this certificate inside its chain spec. */
  id: string;
  subject: NameSpec;
  /** The id of the certificate that signs this one (its own id for a self-signed one). */
  issuer: string;
  /** Issuer DN written into the certificate, when it should differ from the issuer's subject. */
  issuerName?: NameSpec;
  /** A key of the pool (keys.ts). */
  key: string;
  /** Sign with this pool key instead of the issuer's (a bad signature). */
  signKey?: string;
  version?: 1 | 2 | 3;
  serial?: number;
  digest?: Digest;
  /** How the validity times are written (default: DER, UTCTime through 2049). */
  timeForm?: TimeForm;
  /** Write the SPKI of a P-256 key with explicit curve parameters instead of the named curve. */
  explicitCurve?: boolean;
  /** Signature algorithm OID written in the certificate (both places, or only the outer one), whatever the signer used. */
  sigAlgOid?: { oid: string; where: 'both' | 'outer' };
  /** RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) instead of PKCS#1 v1.5 when the signer is RSA. */
  pss?: boolean;
  /** Validity, in days relative to the verification time. */
  notBefore: number;
  notAfter: number;
  extensions: ExtSpec[];
}

export interface ChainSpec {
  name: string;
  category: string;
  certs: CertSpec[];
  /** Ids of the trust anchors (the -CAfile / `ca:`). */
  anchors: string[];
  /** Ids of the certificates the server sends, leaf first. */
  sent: string[];
  /** The name to check: a DNS name or an IP literal. */
  host: string;
}
