// `doctor`'s human output: findings grouped by check, one line each with a mark, the action under it.
import { CHECK_TITLES, type CheckName, type Finding, type Severity } from '../doctor/findings.js';
import { safeLines } from './terminal-safe.js';

const MARKS: Record<Severity, string> = { ok: '✓', info: '·', warning: '!', broken: '✗', danger: '✗' };

function count(findings: Finding[], severity: Severity, one: string, many = `${one}s`): string | null {
  const n = findings.filter((f) => f.severity === severity).length;
  return n ? `${n} ${n === 1 ? one : many}` : null;
}

export function renderDoctorText(findings: Finding[]): string {
  const lines: string[] = [];
  for (const check of Object.keys(CHECK_TITLES) as CheckName[]) {
    const group = findings.filter((f) => f.check === check);
    if (!group.length) continue;
    lines.push(CHECK_TITLES[check]);
    for (const f of group) {
      const label = f.severity === 'danger' ? 'DANGER ' : f.severity === 'broken' ? 'BROKEN ' : '';
      lines.push(`  ${MARKS[f.severity]} ${label}${f.subject}: ${f.message}`);
      if (f.action) lines.push(`      → ${f.action}`);
    }
    lines.push('');
  }
  const tally = [
    count(findings, 'danger', 'dangerous setting (verification off)', 'dangerous settings (verification off)'),
    count(findings, 'broken', 'broken setting (verification fails)', 'broken settings (verification fails)'),
    count(findings, 'warning', 'warning'),
  ].filter(Boolean);
  lines.push(tally.length ? `Result: ${tally.join(', ')}.` : 'Result: nothing dangerous or broken found.');
  // Findings quote values read from env files, configs and CA bundles.
  return `${safeLines(lines)}\n`;
}
