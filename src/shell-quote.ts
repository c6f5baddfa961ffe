// Quoting for the commands tlswitness prints for the user to run: a path such as macOS's
// "~/Library/Application Support/tlswitness" must reach the command as one argument; pure.
// Windows commands are printed for PowerShell, the default Windows shell since Windows 10 1703.

/** Characters no POSIX shell treats specially (zsh expands a leading =): such a word is printed as it is. */
const POSIX_PLAIN = /^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/;

/**
 * One POSIX sh word: single quotes keep everything literal ($, `, \, spaces, newlines); a ' itself
 * cannot appear inside them, so it closes the quote, is escaped, and reopens it (POSIX 2.2.2).
 */
export function quotePosix(word: string): string {
  if (POSIX_PLAIN.test(word)) return word;
  return posixString(word);
}

/** Always single-quoted: for a value in an assignment (`export X='...'`), printed the same whatever it holds. */
export function posixString(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * One PowerShell argument: single-quoted strings expand nothing ($, `); the only escape is a
 * doubled quote, and PowerShell also takes the typographic quotes ‘ ’ ‚ ‛ as single quotes
 * (about_Quoting_Rules), so those are doubled too.
 */
export function quotePowerShell(word: string): string {
  if (/^[A-Za-z0-9_:\\./-]+$/.test(word)) return word;
  return powerShellString(word);
}

/** Always a single-quoted PowerShell string: for a value (`$env:X = '...'`), where a bare word would run as a command. */
export function powerShellString(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** The first word of a PowerShell line: a quoted path is an expression there, so it is run with `&`. */
export function powerShellCommand(path: string): string {
  const quoted = quotePowerShell(path);
  return quoted === path ? path : `& ${quoted}`;
}

export type CommandSyntax = 'posix' | 'powershell';

/** One word quoted for that shell. */
export function quoteFor(syntax: CommandSyntax): (word: string) => string {
  return syntax === 'powershell' ? quotePowerShell : quotePosix;
}

/** A whole command line, each word quoted for that shell. */
export function commandLine(words: string[], syntax: CommandSyntax = 'posix'): string {
  return words.map(quoteFor(syntax)).join(' ');
}
