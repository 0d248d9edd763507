/**
 * The restore form: a rule as kube-proxy writes it for iptables-restore, its words in the order
 * written, joined by single spaces (kube-proxy's LineBuffer). The text after `-A CHAIN `.
 *
 * A word is written in double quotes when it holds a space (kube-proxy quotes its comments that
 * do); a `"` or `\` inside is then escaped, as iptables-restore reads it. Whatever a value holds
 * can therefore neither end its quotes nor its line: a line break, which iptables-restore could
 * not read inside a word, is refused.
 */
import type { Arg, Rule } from './rule.js';
import { tokenize } from './tokenize.js';

/** A word that cannot be written in a restore line. */
export class UnprintableError extends Error {
  override readonly name = 'UnprintableError';
}

/**
 * One word as iptables-restore reads it back: as it is when it has no space, quote or
 * backslash; else in double quotes, a `"` or `\` inside escaped.
 */
export function quoteWord(word: string): string {
  let plain = word.length > 0;
  let escape = false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c > 32 && c !== 34 && c !== 92 && c !== 127) continue;
    if (c === 10 || c === 13 || c === 0) throw new UnprintableError(`${JSON.stringify(word)} cannot be written in an iptables-restore line`);
    if (c === 34 || c === 92) escape = true;
    plain = false;
  }
  if (plain) return word;
  return `"${escape ? word.replace(/["\\]/g, (q) => `\\${q}`) : word}"`;
}

function argText(a: Arg): string {
  switch (a.kind) {
    case 'match':
      return '-m ' + a.module;
    case 'header':
      return (a.negated ? '! ' : '') + (a.flag === '-f' ? a.flag : a.flag + ' ' + quoteWord(a.value));
    case 'option': {
      let s = a.negated ? '! ' + a.name : a.name;
      for (const v of a.values) s += ' ' + quoteWord(v);
      return s;
    }
  }
}

let lastComment: string | undefined;
let lastCommentText = '';

/** The comment match as kube-proxy writes it. */
export function commentText(comment: string): string {
  // Consecutive rules often share their comment (an endpoint chain's two rules).
  if (comment !== lastComment) {
    lastCommentText = '-m comment --comment ' + quoteWord(comment);
    lastComment = comment;
  }
  return lastCommentText;
}

/** The rule's text after `-A CHAIN ` (empty for a rule with no words at all). */
export function restoreText(rule: Rule): string {
  let s = '';
  const at = rule.comment === undefined ? -1 : (rule.commentAt ?? 0);
  const args = rule.args;
  for (let i = 0; i < args.length; i++) {
    if (i === at) s = s === '' ? commentText(rule.comment!) : s + ' ' + commentText(rule.comment!);
    s = s === '' ? argText(args[i]!) : s + ' ' + argText(args[i]!);
  }
  if (at >= args.length) s = s === '' ? commentText(rule.comment!) : s + ' ' + commentText(rule.comment!);
  const t = rule.target;
  if (t) {
    s = (s === '' ? '' : s + ' ') + (t.goto ? '-g ' : '-j ') + t.name;
    for (const o of t.options) s += ' ' + argText(o);
  }
  return s;
}

/**
 * The rule's words as the `iptables` command takes them after `-A CHAIN` (`-C`, `-I`, `-D`):
 * the restore text read back as iptables-restore splits it, so both spell the same rule.
 */
export function ruleArgv(rule: Rule): string[] {
  return tokenize(restoreText(rule)).map((t) => t.text);
}
