// RFC 3779 IP address and AS identifier delegation as OpenSSL 3.0 checks it (crypto/x509/v3_addr.c,
// v3_asid.c): canonical form (41) and nesting from the leaf up (46), run only when the leaf carries
// the extension; decoding is in rfc3779-decode.ts. Pure.
import type { Report } from './extension-checks.js';
import type { ParsedCertificate } from './certificate.js';
import type { AddressFamily, AddressOrRange, AsIdentifiers, AsIdOrRange, Bits } from './rfc3779-decode.js';

export { decodeAsIdentifiers, decodeIpAddrBlocks, type AddressFamily, type AsIdentifiers } from './rfc3779-decode.js';

const INVALID_EXTENSION = 41;
const UNNESTED_RESOURCE = 46;

// --- IP address blocks (X509v3_addr_validate_path) ---

const afiOk = (f: AddressFamily) => f.afi.length >= 2 && f.afi.length <= 3;
const lengthFromAfi = (f: AddressFamily) => {
  const afi = f.afi.length >= 2 ? f.afi.readUInt16BE(0) : 0;
  return afi === 1 ? 4 : afi === 2 ? 16 : 0;
};

function expand(b: Bits, length: number, fill: number): Buffer | null {
  if (b.bytes.length > length) return null;
  const out = Buffer.alloc(length, fill);
  b.bytes.copy(out);
  if (b.bytes.length && b.unused) {
    const mask = 0xff >> (8 - b.unused);
    out[b.bytes.length - 1] = fill === 0 ? out[b.bytes.length - 1]! & ~mask : out[b.bytes.length - 1]! | mask;
  }
  return out;
}

function minMax(a: AddressOrRange, length: number): [Buffer, Buffer] | null {
  const min = expand('prefix' in a ? a.prefix : a.min, length, 0x00);
  const max = expand('prefix' in a ? a.prefix : a.max, length, 0xff);
  return min && max ? [min, max] : null;
}

const cmp = (a: Buffer, b: Buffer, length: number) => Buffer.compare(a.subarray(0, length), b.subarray(0, length));
const familyCmp = (a: AddressFamily, b: AddressFamily) => {
  const n = Math.min(a.afi.length, b.afi.length);
  return Buffer.compare(a.afi.subarray(0, n), b.afi.subarray(0, n)) || a.afi.length - b.afi.length;
};

function rangeShouldBePrefix(min: Buffer, max: Buffer, length: number): number {
  let i = 0;
  while (i < length && min[i] === max[i]) i++;
  let j = length - 1;
  while (j >= 0 && min[j] === 0x00 && max[j] === 0xff) j--;
  if (i < j) return -1;
  if (i > j) return i * 8;
  const mask = min[i]! ^ max[i]!;
  const ones = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f].indexOf(mask);
  if (ones < 0) return -1;
  if ((min[i]! & mask) !== 0 || (max[i]! & mask) !== mask) return -1;
  return i * 8 + (7 - ones);
}

function addrCanonical(blocks: AddressFamily[] | null): boolean {
  if (!blocks) return true;
  for (let i = 0; i + 1 < blocks.length; i++) {
    if (!afiOk(blocks[i]!) || !afiOk(blocks[i + 1]!) || familyCmp(blocks[i]!, blocks[i + 1]!) >= 0) return false;
  }
  for (const f of blocks) {
    if (!f.ranges) continue;
    if (!afiOk(f) || !f.ranges.length) return false;
    const length = lengthFromAfi(f);
    for (let j = 0; j < f.ranges.length; j++) {
      const a = minMax(f.ranges[j]!, length);
      if (!a) return false;
      const isRange = !('prefix' in f.ranges[j]!);
      if (j + 1 < f.ranges.length) {
        const b = minMax(f.ranges[j + 1]!, length);
        if (!b) return false;
        if (cmp(a[0], b[0], length) >= 0 || cmp(a[0], a[1], length) > 0 || cmp(b[0], b[1], length) > 0) return false;
        const bMinus = Buffer.from(b[0]);
        for (let k = length - 1; k >= 0; k--) {
          const v = bMinus[k]!;
          bMinus[k] = (v - 1) & 0xff;
          if (v !== 0) break;
        }
        if (cmp(a[1], bMinus, length) >= 0) return false;
      } else if (isRange && cmp(a[0], a[1], length) > 0) return false;
      if (isRange && rangeShouldBePrefix(a[0], a[1], length) >= 0) return false;
    }
  }
  return true;
}

function addrContains(parent: AddressOrRange[], child: AddressOrRange[], length: number): boolean {
  if (parent === child) return true;
  let p = 0;
  for (const c of child) {
    const cm = minMax(c, length);
    if (!cm) return false;
    for (; ; p++) {
      if (p >= parent.length) return false;
      const pm = minMax(parent[p]!, length);
      if (!pm) return false;
      if (cmp(pm[1], cm[1], length) < 0) continue;
      if (cmp(pm[0], cm[0], length) > 0) return false;
      break;
    }
  }
  return true;
}

function validateAddresses(chain: ParsedCertificate[], report: Report): void {
  const leafBlocks = chain[0]!.details.extensions.ipAddrBlocks;
  if (!leafBlocks) return;
  let i: number;
  if (!addrCanonical(leafBlocks)) report(INVALID_EXTENSION, 0);
  const child = [...leafBlocks].sort(familyCmp);
  let top = chain[0]!;
  for (i = 1; i < chain.length; i++) {
    top = chain[i]!;
    const parentBlocks = top.details.extensions.ipAddrBlocks;
    if (!addrCanonical(parentBlocks)) report(INVALID_EXTENSION, i);
    if (!parentBlocks) {
      for (const fc of child) {
        if (!afiOk(fc)) return;
        if (fc.ranges) {
          report(UNNESTED_RESOURCE, i);
          break;
        }
      }
      continue;
    }
    const sorted = [...parentBlocks].sort(familyCmp);
    for (let j = 0; j < child.length; j++) {
      const fc = child[j]!;
      const fp = sorted.find((f) => familyCmp(f, fc) === 0);
      if (!fp) {
        if (fc.ranges) {
          report(UNNESTED_RESOURCE, i);
          break;
        }
        continue;
      }
      if (!afiOk(fc) || !afiOk(fp)) return;
      if (fp.ranges) {
        if (!fc.ranges || addrContains(fp.ranges, fc.ranges, lengthFromAfi(fc))) child[j] = fp;
        else report(UNNESTED_RESOURCE, i);
      }
    }
  }
  // The top of the chain cannot inherit.
  const topBlocks = top.details.extensions.ipAddrBlocks;
  for (const fp of topBlocks ?? []) {
    if (!afiOk(fp)) return;
    // OpenSSL reports these at depth i, one past the top (the loop's end).
    if (!fp.ranges && child.some((f) => familyCmp(f, fp) === 0)) report(UNNESTED_RESOURCE, i);
  }
}

// --- AS identifiers (X509v3_asid_validate_path) ---

function asCanonical(choice: AsIdOrRange[] | null | undefined): boolean {
  if (!choice) return true;
  if (!choice.length) return false;
  for (let i = 0; i + 1 < choice.length; i++) {
    const a = choice[i]!;
    const b = choice[i + 1]!;
    if (a.min >= b.min || a.min > a.max || b.min > b.max || a.max + 1n >= b.min) return false;
  }
  const last = choice[choice.length - 1]!;
  return !(last.range && last.min > last.max);
}

function asContains(parent: AsIdOrRange[], child: AsIdOrRange[] | null): boolean {
  if (!child || parent === child) return true;
  let p = 0;
  for (const c of child) {
    for (; ; p++) {
      if (p >= parent.length) return false;
      if (parent[p]!.max < c.max) continue;
      if (parent[p]!.min > c.min) return false;
      break;
    }
  }
  return true;
}

function validateAsIds(chain: ParsedCertificate[], report: Report): void {
  const ext = chain[0]!.details.extensions.asIdentifiers;
  if (!ext) return;
  const canonical = (e: AsIdentifiers) => asCanonical(e.asnum) && asCanonical(e.rdi);
  if (!canonical(ext)) report(INVALID_EXTENSION, 0);
  let childAs = ext.asnum ?? null;
  let inheritAs = ext.asnum === null;
  let childRdi = ext.rdi ?? null;
  let inheritRdi = ext.rdi === null;
  let i = 1;
  for (; i < chain.length; i++) {
    const x = chain[i]!.details.extensions.asIdentifiers;
    if (!x) {
      if (childAs || childRdi) report(UNNESTED_RESOURCE, i);
      continue;
    }
    if (!canonical(x)) report(INVALID_EXTENSION, i);
    if (x.asnum === undefined && childAs) {
      report(UNNESTED_RESOURCE, i);
      childAs = null;
      inheritAs = false;
    }
    if (x.asnum) {
      if (inheritAs || asContains(x.asnum, childAs)) {
        childAs = x.asnum;
        inheritAs = false;
      } else report(UNNESTED_RESOURCE, i);
    }
    if (x.rdi === undefined && childRdi) {
      report(UNNESTED_RESOURCE, i);
      childRdi = null;
      inheritRdi = false;
    }
    if (x.rdi) {
      if (inheritRdi || asContains(x.rdi, childRdi)) {
        childRdi = x.rdi;
        inheritRdi = false;
      } else report(UNNESTED_RESOURCE, i);
    }
  }
  const top = chain[chain.length - 1]!.details.extensions.asIdentifiers;
  if (top?.asnum === null) report(UNNESTED_RESOURCE, i);
  if (top?.rdi === null) report(UNNESTED_RESOURCE, i);
}

/** verify_chain's RFC 3779 step: AS identifiers, then IP address blocks. */
export function checkRfc3779(chain: ParsedCertificate[], report: Report): void {
  validateAsIds(chain, report);
  validateAddresses(chain, report);
}
