/** Small helpers with no domain knowledge, shared by the loaders and the normaliser. */

/** A parsed JSON/YAML object: not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Orders strings by their UTF-16 code units, with no locale. That is Go's byte-wise order of
 * their UTF-8 (what kube-proxy sorts by) for any text without characters above U+FFFF, and so
 * for every Kubernetes name, label and address.
 */
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** C0 and C1 controls but tab, DEL, and the bidirectional overrides (which reorder what is shown). */
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every character a terminal would act on written as an escape (`\n`, `\r`,
 * `\x1b`, `\u202e`): one line, shown as it is.
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
