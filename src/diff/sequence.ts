/**
 * The shortest edit script between two sequences of keys (Myers, "An O(ND) Difference
 * Algorithm"), so a chain of thousands of rules with a few changes costs little. Rule order
 * within a chain matters to iptables, so a moved rule shows as removed and added.
 */
export type Edit = { op: '=' | '-' | '+'; index: number };

export function diffSequences(a: readonly string[], b: readonly string[]): Edit[] {
  // Trim the common prefix and suffix first: the usual case is a few changed rules.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const middle = myers(a.slice(start, endA), b.slice(start, endB));
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) edits.push({ op: '=', index: i });
  for (const e of middle) edits.push({ op: e.op, index: e.index + start });
  for (let i = endA; i < a.length; i++) edits.push({ op: '=', index: i });
  return edits;
}

/**
 * Beyond this many edits, a chain is reported as wholly replaced: keeping Myers' snapshots
 * costs O(D²) memory, and a diff that large is read as "rewritten" anyway.
 */
const MAX_EDITS = 4000;

/** Edits with indices into a (for '=' and '-') or b (for '+'). */
function myers(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const replaced = (): Edit[] => [...a.map((_, index) => ({ op: '-' as const, index })), ...b.map((_, index) => ({ op: '+' as const, index }))];
  if (n === 0 || m === 0) return replaced();
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // snapshots[d] holds v[-d..d] as it was before round d.
  const snapshots: Int32Array[] = [];
  let done = -1;
  for (let d = 0; d <= max && done < 0; d++) {
    snapshots.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        done = d;
        break;
      }
    }
  }
  if (done < 0) return replaced();
  const at = (d: number, k: number): number => snapshots[d]![k + d]!;
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = done; d >= 0; d--) {
    const k = x - y;
    let prevX = 0;
    let prevY = 0;
    if (d > 0) {
      const prevK = k === -d || (k !== d && at(d, k - 1) < at(d, k + 1)) ? k + 1 : k - 1;
      prevX = at(d, prevK);
      prevY = prevX - prevK;
    }
    while (x > prevX && y > prevY) {
      edits.push({ op: '=', index: x - 1 });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) edits.push({ op: '+', index: y - 1 });
      else edits.push({ op: '-', index: x - 1 });
    }
    x = prevX;
    y = prevY;
  }
  return edits.reverse();
}
