// Counted nouns and articles that agree with their number ("1 certificate", "an antivirus"); pure.

/** "1 certificate", "3 certificates"; `plural` for nouns that do not just take an s. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** "a proxy", "an antivirus": by the first letter, which is right for the words this tool puts after it. */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
