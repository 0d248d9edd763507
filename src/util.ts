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
