/**
 * Splitting a rule line into words the way iptables-restore does: whitespace separates words,
 * double quotes group (`--comment "ns/svc:p cluster IP"`), and inside quotes a backslash
 * escapes the next character (iptables-save writes `\"` and `\'`). Single quotes are ordinary
 * characters for iptables-restore, so they are for us too.
 */

/** One word of a rule line. */
export interface Token {
  /** The word with quotes removed and escapes resolved. */
  text: string;
  /** Whether any part of it was quoted: a quoted word is always a value, never an option. */
  quoted: boolean;
}

export class TokenizeError extends Error {
  override readonly name = 'TokenizeError';
}

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12;
}

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    let text = '';
    let quoted = false;
    while (i < n && !isSpace(line.charCodeAt(i))) {
      if (line.charCodeAt(i) === QUOTE) {
        quoted = true;
        i++;
        let closed = false;
        let run = i;
        while (i < n) {
          const q = line.charCodeAt(i);
          if (q === BACKSLASH && i + 1 < n) {
            text += line.slice(run, i) + line[i + 1]!;
            i += 2;
            run = i;
          } else if (q === QUOTE) {
            text += line.slice(run, i);
            closed = true;
            i++;
            break;
          } else {
            i++;
          }
        }
        if (!closed) throw new TokenizeError('unterminated quote');
      } else {
        // An unquoted run, up to a space or a quote, as one slice.
        const start = i;
        while (i < n && !isSpace(line.charCodeAt(i)) && line.charCodeAt(i) !== QUOTE) i++;
        text += line.slice(start, i);
      }
    }
    out.push({ text, quoted });
  }
  return out;
}
