// Reading a .env file as dotenv does, as text: KEY=VALUE lines, `export ` prefixes, quotes and
// comments. Nothing is executed or expanded ($VAR, ${VAR}, $(cmd) stay as written); pure.

export interface DotenvEntry {
  key: string;
  /** The value as the app sees it (quotes removed; `\n` in double quotes is a newline). */
  value: string;
  /** 1-based line the assignment starts on. */
  line: number;
}

// dotenv's own LINE pattern accepts `KEY=value` and `export KEY=value` (motdotla/dotenv lib/main.js).
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s?(.*)$/;

/** The closing quote's index in `text` from `from`, or -1; a backslash escapes the next character in double quotes. */
function closing(text: string, quote: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

export function parseDotenv(text: string): DotenvEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: DotenvEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = ASSIGNMENT.exec(lines[i]!);
    if (!match) continue; // blank, a comment, or not an assignment: dotenv skips it too
    const key = match[1]!;
    const raw = match[2]!.trimStart();
    const line = i + 1;
    const quote = raw[0];
    if (quote === '"' || quote === "'" || quote === '`') {
      // A quoted value may run over several lines (dotenv 15+), up to its closing quote.
      let body = raw.slice(1);
      let end = closing(body, quote, 0);
      let j = i;
      while (end < 0 && j + 1 < lines.length) {
        body += `\n${lines[++j]}`;
        end = closing(body, quote, 0);
      }
      if (end < 0) {
        // Never closed: dotenv reads the line as an unquoted value.
        out.push({ key, value: raw.replace(/\s+#.*$/, '').trim(), line });
        continue;
      }
      i = j;
      const value = body.slice(0, end);
      // dotenv turns \n and \r into line breaks in double quotes, and unescapes nothing else.
      out.push({ key, value: quote === '"' ? value.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : value, line });
      continue;
    }
    // Unquoted: a ` #` starts a comment (python-dotenv, docker compose; Node's dotenv also cuts at a
    // `#` with no space before it); surrounding spaces are not part of the value.
    out.push({ key, value: raw.replace(/(^|\s+)#.*$/, '').trim(), line });
  }
  return out;
}
