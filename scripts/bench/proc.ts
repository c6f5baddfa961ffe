// CPU time and resident memory of another process, from Linux's /proc.
import { readFileSync } from 'node:fs';

// /proc reports CPU in USER_HZ ticks, which is 100 on every Linux architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name (which may hold spaces) start at field 3; utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size (VmRSS) in MB of 10^6 bytes. */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return (Number(match[1]) * 1024) / 1e6;
}
