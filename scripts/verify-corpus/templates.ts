// Valid chain templates (root → intermediates → leaf) and small editing helpers the named chains and mutations start from.
import { isIP } from 'node:net';
import { EC_KEYS } from './keys.js';
import type { CertSpec, ChainSpec, ExtSpec, GeneralNameSpec, NameSpec } from './spec.js';

export const cn = (value: string): NameSpec => [{ type: 'CN', value }];

export function caExtensions(): ExtSpec[] {
  return [
    { type: 'bc', critical: true, ca: true },
    { type: 'ku', critical: true, bits: ['keyCertSign', 'cRLSign'] },
    { type: 'ski' },
  ];
}

export function leafExtensions(names: GeneralNameSpec[]): ExtSpec[] {
  return [
    { type: 'ku', critical: true, bits: ['digitalSignature'] },
    { type: 'eku', oids: ['serverAuth'] },
    { type: 'san', names },
    { type: 'aki' },
  ];
}

export interface TemplateOptions {
  /** Number of intermediates between root and leaf (default 1). */
  depth?: number;
  host?: string;
  /** The name the leaf is issued for (SAN and CN), when it differs from the name checked. */
  leafName?: string;
  /** Changes to the certificates before the chain is assembled. */
  edit?: (certs: Record<string, CertSpec>) => void;
  anchors?: string[];
  sent?: string[];
  /** Extra certificates (cross-signs, rollovers, unrelated roots). */
  extra?: CertSpec[];
  /** RSA keys instead of P-256. */
  rsa?: boolean;
}

/** Ids in a template: 'root', 'int1' (signed by root) ... 'intN', 'leaf'. */
export function template(name: string, category: string, options: TemplateOptions = {}): ChainSpec {
  const depth = options.depth ?? 1;
  const host = options.host ?? 'www.example.com';
  const keyFor = (i: number) =>
    options.rsa ? ['rsa2048a', 'rsa2048b', 'rsa2048c'][i % 3]! : EC_KEYS[i % EC_KEYS.length]!;
  const certs: Record<string, CertSpec> = {
    root: {
      id: 'root',
      subject: [
        { type: 'O', value: 'Diff Test' },
        { type: 'CN', value: 'Diff Root CA' },
      ],
      issuer: 'root',
      key: keyFor(0),
      notBefore: -365,
      notAfter: 3650,
      extensions: caExtensions(),
    },
  };
  let parent = 'root';
  for (let i = 1; i <= depth; i++) {
    const id = `int${i}`;
    certs[id] = {
      id,
      subject: [
        { type: 'O', value: 'Diff Test' },
        { type: 'CN', value: `Diff Intermediate ${i}` },
      ],
      issuer: parent,
      key: keyFor(i),
      notBefore: -200,
      notAfter: 1800,
      extensions: [...caExtensions(), { type: 'aki' }],
    };
    parent = id;
  }
  const leafName = options.leafName ?? host;
  const names: GeneralNameSpec[] = [isIP(leafName) ? { ip: leafName } : { dns: leafName }];
  certs.leaf = {
    id: 'leaf',
    subject: cn(isIP(leafName) ? 'ip leaf' : leafName),
    issuer: parent,
    key: keyFor(depth + 1),
    notBefore: -30,
    notAfter: 90,
    extensions: leafExtensions(names),
  };
  options.edit?.(certs);
  const all = [...Object.values(certs), ...(options.extra ?? [])];
  const intermediates = Array.from({ length: depth }, (_, i) => `int${depth - i}`);
  return {
    name,
    category,
    certs: all,
    anchors: options.anchors ?? ['root'],
    sent: options.sent ?? ['leaf', ...intermediates],
    host,
  };
}

/** Replaces the extension of that type (or adds it at the end). */
export function setExt(cert: CertSpec, ext: ExtSpec): void {
  const i = cert.extensions.findIndex(
    (e) => e.type === ext.type && (ext.type !== 'raw' || (e.type === 'raw' && e.oid === ext.oid)),
  );
  if (i >= 0) cert.extensions[i] = ext;
  else cert.extensions.push(ext);
}

export function dropExt(cert: CertSpec, type: ExtSpec['type']): void {
  cert.extensions = cert.extensions.filter((e) => e.type !== type);
}

export function editExt(cert: CertSpec, type: ExtSpec['type'], change: Partial<ExtSpec>): void {
  cert.extensions = cert.extensions.map((e) => (e.type === type ? ({ ...e, ...change } as ExtSpec) : e));
}
