// The drawing's pieces as HTML: a certificate box with its validity bar, a compact box on a store's
// path, the anchor a store found and the dashed gap where the path stops; pure.
import type { ChainEntry } from '../types.js';
import { validityState } from './certificate-text.js';
import { esc } from './html-text.js';
import type { PathEnd } from './store-paths.js';

const DAY = 86_400_000;

export interface Validity {
  /** Share of the validity period already gone, 0 to 1. */
  elapsed: number;
  state: 'valid' | 'ending' | 'expired' | 'not-yet-valid';
  text: string;
}

/** Thirty days left, as certificate monitors warn (Let's Encrypt renews at thirty days left). */
const ENDING_DAYS = 30;

export function validityOf(entry: Pick<ChainEntry, 'notBefore' | 'notAfter'>, now: Date): Validity {
  const from = Date.parse(entry.notBefore);
  const to = Date.parse(entry.notAfter);
  const t = now.getTime();
  const elapsed = to > from ? Math.min(1, Math.max(0, (t - from) / (to - from))) : 1;
  const text = validityState(entry, now);
  if (t < from) return { elapsed, state: 'not-yet-valid', text: text.toLowerCase() };
  if (t > to) return { elapsed, state: 'expired', text: text.replace(/^EXPIRED/, 'expired') };
  return { elapsed, state: (to - t) / DAY < ENDING_DAYS ? 'ending' : 'valid', text };
}

function validityBar(entry: ChainEntry, now: Date): string {
  const v = validityOf(entry, now);
  return [
    `<div class="validity ${v.state}" data-validity="${v.state}">`,
    `<div class="bar" role="img" aria-label="${esc(v.text)}"><span style="width:${(v.elapsed * 100).toFixed(1)}%"></span></div>`,
    `<div class="dates"><span>${esc(entry.notBefore.slice(0, 10))}</span><strong>${esc(v.text)}</strong><span>${esc(entry.notAfter.slice(0, 10))}</span></div>`,
    '</div>',
  ].join('');
}

function role(entry: ChainEntry): string {
  return entry.selfSigned ? 'self-signed' : entry.isCA ? 'CA' : 'leaf';
}

/** One certificate as the server sent it: every fact the reader compares between boxes. */
export function certificateBox(entry: ChainEntry, index: number, now: Date, onPath: boolean): string {
  const san = entry.san.length
    ? `<dt>SAN</dt><dd>${esc(entry.san.slice(0, 6).join(', '))}${entry.san.length > 6 ? ` and ${entry.san.length - 6} more` : ''}</dd>`
    : '';
  return [
    `<article class="cert${onPath ? '' : ' off-path'}" data-box="cert" data-index="${index}">`,
    `<header><span class="tag">#${index} ${role(entry)}</span>${onPath ? '' : '<span class="tag warn">not on the path</span>'}</header>`,
    `<h3>${esc(entry.subject)}</h3>`,
    `<dl><dt>issuer</dt><dd>${esc(entry.issuer)}</dd>${san}`,
    `<dt>key</dt><dd>${esc(entry.keyType)} ${esc(entry.keyBits ?? '?')} bits, ${esc(entry.signatureAlgorithm)}</dd></dl>`,
    validityBar(entry, now),
    `<p class="hash"><span>SHA-256</span> ${esc(entry.sha256)}</p>`,
    '</article>',
  ].join('');
}

/** A certificate on a store's path, pointing back to its full box in the chain as sent. */
export function pathBox(entry: ChainEntry, index: number, now: Date): string {
  const v = validityOf(entry, now);
  return `<div class="step" data-box="path" data-index="${index}"><span class="tag">#${index}</span> ${esc(entry.subject)}<small class="${v.state}">${esc(v.text)}</small></div>`;
}

export function pathEndBox(end: PathEnd): string {
  switch (end.kind) {
    case 'anchor':
      return `<div class="anchor" data-box="anchor"><span class="tag ok">${esc(end.note)}</span><div>${esc(end.name)}</div></div>`;
    case 'gap': {
      const aia = end.aia.length
        ? `<p>AIA caIssuers: ${end.aia.map((url) => `<code>${esc(url)}</code>`).join(' ')}</p>`
        : '';
      const fetched = end.fetched ? `<p>${esc(end.fetched)}</p>` : '';
      return `<div class="gap" data-box="gap"><span class="tag bad">${esc(end.title)}</span><div>${esc(end.name)}</div>${aia}${fetched}</div>`;
    }
    case 'not-configured':
      return '<div class="unset" data-box="not-configured">not configured</div>';
  }
}

/** The arrow between a certificate and the one that issued it. */
export const ISSUED_BY = '<div class="link" aria-hidden="true">&#8595; issued by</div>';

/** The arrow into a path's end: its issuer, or the self-signed root itself looked up in the store. */
export function linkTo(end: PathEnd): string {
  return end.kind !== 'not-configured' && end.link === 'itself'
    ? '<div class="link" aria-hidden="true">&#8595; signed by itself</div>'
    : ISSUED_BY;
}
