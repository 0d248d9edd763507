/**
 * Combining objects read from a cluster with objects from files: a file object replaces the
 * cluster object of the same kind, namespace and name (so a manifest can be tried against the
 * live state before it is applied). Duplicates among the files themselves are left alone;
 * the normaliser rejects them as before.
 */
import { isRecord } from '../util.js';
import type { RawObject } from './files.js';

/** `Kind namespace/name`, or undefined for something that is not a named object. */
function objectKey(r: RawObject): string | undefined {
  const v = r.value;
  if (!isRecord(v) || typeof v.kind !== 'string') return undefined;
  const meta = isRecord(v.metadata) ? v.metadata : {};
  if (typeof meta.name !== 'string' || meta.name === '') return undefined;
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  return `${v.kind} ${ns}/${meta.name}`;
}

export interface Layered {
  /** The cluster objects no file replaced, in their order, then the file objects. */
  objects: RawObject[];
}

export function layerObjects(cluster: readonly RawObject[], files: readonly RawObject[]): Layered {
  const fromFiles = new Set<string>();
  for (const f of files) {
    const k = objectKey(f);
    if (k !== undefined) fromFiles.add(k);
  }
  const kept = cluster.filter((c) => {
    const k = objectKey(c);
    return k === undefined || !fromFiles.has(k);
  });
  return { objects: [...kept, ...files] };
}
