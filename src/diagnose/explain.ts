// `explain`: what a TLS error message from a client (curl, wget, Python, Node, OpenSSL, git, Java, Go,
// Rust, .NET, PowerShell, Windows schannel, Ruby, PHP, browsers, Docker, npm, pip, Maven, Gradle) means:
// which problem classes it can be, whose side to look at, and what to run next. Pure.
import type { Liability, Problem } from '../types.js';
import { findClient, findHost } from './explain-clients.js';
import { RULES } from './explain-rules.js';

export interface Explanation {
  recognized: boolean;
  client: string | null;
  problem: Problem | null;
  alternatives: Problem[];
  host: string | null;
  meaning: string;
  liability: Liability | null;
  action: string;
  next: string;
}

export function explain(text: string): Explanation {
  const client = findClient(text);
  const host = findHost(text);
  const rule = RULES.find((r) => r.test.test(text));
  const next = `tlswitness inspect ${host ?? 'HOST'}`;
  if (!rule) {
    return {
      recognized: false,
      client,
      problem: null,
      alternatives: [],
      host,
      meaning: 'this text is not a TLS error message tlswitness knows',
      liability: null,
      action: 'paste the whole error, including the line with the TLS library message, or check the host directly',
      next,
    };
  }
  // A refinement that picks one of the rule's classes drops it from the alternatives and keeps the other.
  const refined = rule.refine?.(text) ?? null;
  const problem = refined ?? rule.problem;
  const alternatives = refined ? [] : rule.alternatives;
  return {
    recognized: true,
    client,
    problem,
    alternatives,
    host,
    meaning: rule.meaning,
    liability: rule.liability,
    action: rule.action.replace(/HOST/g, host ?? 'HOST'),
    next,
  };
}
