/**
 * Rules for hand-written test rulesets, from restore text read by kp-gen's own reader:
 * `nat.append('KUBE-SVC-X', r(comment('ns/a:p cluster IP'), '-m', 'tcp', '-j', 'KUBE-SEP-Y'))`.
 */
import { readRule } from '../../src/iptables/read.js';
import { commentText } from '../../src/iptables/restore.js';
import type { Rule } from '../../src/iptables/rule.js';

/** The rule these words (or arrays of words) spell, in the restore form. */
export function r(...words: (string | readonly string[])[]): Rule {
  return readRule(words.flat().join(' ')).rule;
}

/** `-m comment --comment TEXT`, quoted as kube-proxy quotes it. */
export const comment = commentText;
