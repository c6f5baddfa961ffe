// Seeded random mutations of valid chains, at the spec level: add, drop, duplicate or corrupt extensions, flip
// criticality, change names, dates, key usage, order, certificates, keys and signatures. The same seed gives the
// same corpus; each chain's name lists what was done to it.
import { EC_KEYS } from './keys.js';
import {
  chance,
  CORRUPTIONS,
  EKUS,
  HOSTS,
  KU_BITS,
  NAMES,
  pick,
  prng,
  randomExtension,
  randomGeneralName,
  targetedBase,
  targetedName,
  type Rng,
} from './random-values.js';
import type { CertSpec, ChainSpec } from './spec.js';
import { caExtensions, cn, setExt, template } from './templates.js';

/** One mutation applied in place; returns its description. */
function mutate(rng: Rng, chain: ChainSpec): string {
  const certs = chain.certs;
  const cert = pick(rng, certs);
  const op = pick(rng, [
    'add-ext',
    'add-ext',
    'add-ext',
    'drop-ext',
    'dup-ext',
    'corrupt-ext',
    'flip-critical',
    'subject',
    'issuer-name',
    'dates',
    'key-usage',
    'eku',
    'order',
    'drop-cert',
    'add-cert',
    'swap-key',
    'bad-signature',
    'weak',
    'path-len',
    'v1',
    'anchors',
    'host',
    'reissue',
    'name-variant',
    'targeted-nc',
    'targeted-nc',
    'san',
    'serial',
    'aki',
    'twin',
    'encoding',
  ] as const);
  const ext = cert.extensions.length > 0 ? pick(rng, cert.extensions) : null;
  const extIndex = ext ? cert.extensions.indexOf(ext) : -1;
  switch (op) {
    case 'add-ext': {
      const added = randomExtension(rng);
      if (chance(rng, 0.5)) setExt(cert, added);
      else cert.extensions.push(added);
      return `add-ext(${cert.id},${added.type === 'raw' ? added.oid : added.type}${added.critical ? ',critical' : ''})`;
    }
    case 'drop-ext':
      if (!ext) return 'noop';
      cert.extensions.splice(extIndex, 1);
      return `drop-ext(${cert.id},${ext.type})`;
    case 'dup-ext':
      if (!ext) return 'noop';
      cert.extensions.splice(extIndex, 0, { ...ext });
      return `dup-ext(${cert.id},${ext.type})`;
    case 'corrupt-ext': {
      if (!ext) return 'noop';
      const how = pick(rng, CORRUPTIONS);
      cert.extensions[extIndex] = { ...ext, corrupt: how };
      return `corrupt-ext(${cert.id},${ext.type},${how})`;
    }
    case 'flip-critical':
      if (!ext) return 'noop';
      cert.extensions[extIndex] = { ...ext, critical: !ext.critical };
      return `flip-critical(${cert.id},${ext.type})`;
    case 'subject': {
      const issuer = certs.find((c) => c.id === cert.issuer);
      cert.subject = chance(rng, 0.3) && issuer ? issuer.subject : pick(rng, NAMES);
      return `subject(${cert.id})`;
    }
    case 'issuer-name':
      cert.issuerName = pick(rng, NAMES);
      return `issuer-name(${cert.id})`;
    case 'dates': {
      const [nb, na] = pick(rng, [
        [-400, -2],
        [2, 400],
        [10, -10],
        [-1, 9500],
      ] as const);
      cert.notBefore = nb;
      cert.notAfter = na;
      return `dates(${cert.id},${nb},${na})`;
    }
    case 'key-usage':
      setExt(cert, { type: 'ku', critical: chance(rng, 0.8), bits: KU_BITS.filter(() => chance(rng, 0.35)) });
      return `key-usage(${cert.id})`;
    case 'eku':
      setExt(cert, { type: 'eku', oids: [pick(rng, EKUS)] });
      return `eku(${cert.id})`;
    case 'order': {
      const rest = chain.sent.slice(1);
      for (let i = rest.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [rest[i], rest[j]] = [rest[j]!, rest[i]!];
      }
      chain.sent = [chain.sent[0]!, ...rest];
      return 'order';
    }
    case 'drop-cert':
      if (chain.sent.length < 2) return 'noop';
      chain.sent.splice(1 + Math.floor(rng() * (chain.sent.length - 1)), 1);
      return 'drop-cert';
    case 'add-cert': {
      const id = pick(rng, certs).id;
      chain.sent.push(id);
      return `add-cert(${id})`;
    }
    case 'swap-key':
      cert.key = pick(rng, [...EC_KEYS, 'ed1', 'p384', 'rsa2048b', 'p521', 'ed448', 'rsapss', 'k256', 'dsa1024']);
      return `swap-key(${cert.id},${cert.key})`;
    case 'bad-signature':
      cert.signKey = pick(rng, EC_KEYS);
      return `bad-signature(${cert.id})`;
    case 'weak':
      if (chance(rng, 0.4)) cert.digest = 'sha1';
      else if (chance(rng, 0.2)) cert.pss = true;
      else cert.key = pick(rng, ['rsa1024a', 'rsa1024b', 'rsa768', 'rsa2048a', 's112', 'p192']);
      return `weak(${cert.id},${cert.pss ? 'pss' : (cert.digest ?? cert.key)})`;
    case 'path-len': {
      const n = Math.floor(rng() * 4) - 1;
      setExt(cert, { type: 'bc', critical: true, ca: true, pathLen: n });
      return `path-len(${cert.id},${n})`;
    }
    case 'v1':
      cert.version = 1;
      return `v1(${cert.id})`;
    case 'anchors':
      chain.anchors = [pick(rng, certs).id, ...(chance(rng, 0.5) ? ['root'] : [])];
      return `anchors(${chain.anchors.join('+')})`;
    case 'host':
      chain.host = pick(rng, HOSTS);
      return `host(${chain.host})`;
    case 'name-variant': {
      // An issuer name that differs from the issuer's subject only in case, spacing or string type (or also in order).
      const issuer = certs.find((c) => c.id === cert.issuer);
      if (!issuer) return 'noop';
      const how = pick(rng, ['upper', 'spaces', 'bmp', 'printable', 'ia5', 'reverse'] as const);
      const rdns = issuer.subject.map((rdn) =>
        (Array.isArray(rdn) ? rdn : [rdn]).map((a) => {
          if (how === 'upper') return { ...a, value: a.value.toUpperCase() };
          if (how === 'spaces') return { ...a, value: `  ${a.value.replace(/ /g, '   ')} ` };
          if (how === 'reverse') return a;
          return { ...a, tag: how };
        }),
      );
      cert.issuerName = how === 'reverse' ? rdns.reverse() : rdns;
      return `name-variant(${cert.id},${how})`;
    }
    case 'targeted-nc': {
      const ca = pick(
        rng,
        certs.filter((c) => c.id !== chain.sent[0]),
      );
      if (!ca) return 'noop';
      const base = targetedBase(rng, chain.host);
      const excluded = chance(rng, 0.3);
      setExt(ca, {
        type: 'nc',
        critical: chance(rng, 0.8),
        ...(excluded ? { excluded: [{ base }] } : { permitted: [{ base }] }),
      });
      return `targeted-nc(${ca.id},${excluded ? 'excluded' : 'permitted'},${JSON.stringify(base)})`;
    }
    case 'san': {
      const leaf = certs.find((c) => c.id === chain.sent[0])!;
      const names = [targetedName(rng, chain.host), ...(chance(rng, 0.4) ? [randomGeneralName(rng)] : [])];
      if (chance(rng, 0.15)) leaf.extensions = leaf.extensions.filter((e) => e.type !== 'san');
      else setExt(leaf, { type: 'san', names, critical: chance(rng, 0.2) });
      if (chance(rng, 0.3)) leaf.subject = cn(chain.host);
      return `san(${JSON.stringify(names)})`;
    }
    case 'serial': {
      cert.serial = pick(rng, [0, -1, 1, 2 ** 31, Number.MAX_SAFE_INTEGER, -300]);
      return `serial(${cert.id},${cert.serial})`;
    }
    case 'aki': {
      const issuer = certs.find((c) => c.id === cert.issuer);
      if (!issuer) return 'noop';
      const right = chance(rng, 0.6);
      issuer.serial ??= 4000 + Math.floor(rng() * 1000);
      const serial = right ? issuer.serial : issuer.serial + 1;
      const form = pick(rng, ['issuer-serial', 'keyid-issuer-serial', 'serial-only', 'issuer-only'] as const);
      setExt(cert, {
        type: 'aki',
        ...(form === 'keyid-issuer-serial' ? {} : { keyId: null }),
        ...(form !== 'serial-only'
          ? {
              issuer: right
                ? (issuer.issuerName ?? certs.find((c) => c.id === issuer.issuer)?.subject ?? issuer.subject)
                : cn('Nobody'),
            }
          : {}),
        ...(form !== 'issuer-only' ? { serial } : {}),
      });
      return `aki(${cert.id},${form},${right ? 'right' : 'wrong'})`;
    }
    case 'twin': {
      // Another certificate with the same subject and a different key or dates, sent too: issuer choice matters.
      const twin: CertSpec = {
        ...structuredClone(cert),
        id: `${cert.id}-twin`,
        key: pick(rng, EC_KEYS),
        notBefore: pick(rng, [-500, -10]),
        notAfter: pick(rng, [-5, 50, 4000]),
      };
      if (certs.some((c) => c.id === twin.id)) return 'noop';
      certs.push(twin);
      chain.sent.splice(1 + Math.floor(rng() * chain.sent.length), 0, twin.id);
      if (chance(rng, 0.3)) chain.anchors.push(twin.id);
      return `twin(${cert.id})`;
    }
    case 'encoding': {
      const how = pick(rng, ['time', 'explicit-curve', 'sigalg-outer', 'sigalg-both'] as const);
      if (how === 'time')
        cert.timeForm = pick(rng, ['generalized', 'no-seconds', 'garbage-before', 'garbage-after'] as const);
      else if (how === 'explicit-curve') cert.explicitCurve = true;
      else
        cert.sigAlgOid = {
          oid: pick(rng, ['1.2.840.10045.4.3.3', '1.2.840.113549.1.1.11', '1.2.3.4']),
          where: how === 'sigalg-outer' ? 'outer' : 'both',
        };
      return `encoding(${cert.id},${how === 'time' ? cert.timeForm : how})`;
    }
    case 'reissue': {
      const issuer = pick(rng, certs);
      cert.issuer = issuer.id;
      return `reissue(${cert.id},by ${issuer.id})`;
    }
  }
}

function baseChain(rng: Rng, index: number): ChainSpec {
  const depth = pick(rng, [0, 1, 1, 1, 2, 2, 3]);
  const host = pick(rng, HOSTS);
  const chain = template(`mut-${index}`, 'mutation', { depth, host, rsa: chance(rng, 0.1) });
  if (chance(rng, 0.3)) {
    // A second root to be sent, trusted or dropped by mutations.
    chain.certs.push({
      id: 'other',
      subject: cn('Unrelated Root'),
      issuer: 'other',
      key: 'ec15',
      notBefore: -100,
      notAfter: 3000,
      extensions: caExtensions(),
    });
  }
  return chain;
}

export function mutatedChains(seed: number, count: number): ChainSpec[] {
  const rng = prng(seed);
  const out: ChainSpec[] = [];
  for (let i = 0; i < count; i++) {
    const chain = structuredClone(baseChain(rng, i));
    const ops: string[] = [];
    const n = 1 + Math.floor(rng() * 4);
    for (let k = 0; k < n; k++) ops.push(mutate(rng, chain));
    chain.name = `mut-${seed}-${i}[${ops.join(' ')}]`;
    out.push(chain);
  }
  return out;
}
