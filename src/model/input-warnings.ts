/**
 * Warnings about the input as a whole, for a run in CI whose rules would otherwise look
 * plausible while testing nothing: an input without any Service (a chart that rendered
 * nothing, a wrong path), and `externalTrafficPolicy: Local` Services on a node that has none
 * of the endpoints (a --hostname-override that names no node of the input). Each is one line
 * naming what was read, and like every warning fatal under --strict.
 */
import type { Warning } from '../errors.js';
import type { Manifests } from '../load/manifests.js';
import { byteCompare } from '../util.js';
import type { ServicePortWithEndpoints } from './types.js';

/** How many objects of each kind were read, for the message. */
export type KindCounts = ReadonlyMap<string, number>;

/** `3 objects: 2 ConfigMap, 1 Deployment`, kinds byte-wise; `no objects`. */
function describeCounts(kinds: KindCounts): string {
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return 'no objects';
  const parts = [...kinds.entries()].sort(([a], [b]) => byteCompare(a, b)).map(([kind, n]) => `${n} ${kind}`);
  return `${total} ${total === 1 ? 'object' : 'objects'}: ${parts.join(', ')}`;
}

/** The input had no Service at all: kube-proxy would write only its own chains. */
export function noServiceWarning(m: Manifests, kinds: KindCounts, source: string): Warning | undefined {
  if (m.services.length > 0) return undefined;
  return {
    location: { file: source },
    message: `no Service in the input (read ${describeCounts(kinds)}); the rules are kube-proxy's fixed chains only`,
  };
}

/**
 * There are `externalTrafficPolicy: Local` service ports, endpoints on named nodes, and none
 * of them on this node: external traffic to those ports is dropped here, which is rarely what
 * a run means (a --hostname-override naming no node of the input). Names the nodes seen. `nodeName` is the lower-cased --hostname-override.
 */
export function localTrafficWarning(ports: readonly ServicePortWithEndpoints[], m: Manifests, nodeName: string): Warning | undefined {
  const local = ports.filter((p) => p.svcPort.externalPolicyLocal);
  if (local.length === 0) return undefined;
  if (ports.some((p) => p.endpoints.some((e) => e.isLocal))) return undefined;
  const nodes = new Set<string>();
  for (const s of m.slices) for (const e of s.endpoints) if (e.nodeName) nodes.add(e.nodeName);
  for (const e of m.endpoints) for (const sub of e.subsets) for (const a of [...sub.addresses, ...sub.notReadyAddresses]) if (a.nodeName) nodes.add(a.nodeName);
  // Without any node named, locality cannot be what went wrong.
  if (nodes.size === 0) return undefined;
  const services = [...new Set(local.map((p) => `${p.svcPort.namespace}/${p.svcPort.service}`))];
  const first = m.services.find((s) => `${s.source.namespace}/${s.source.name}` === services[0]);
  const names = [...nodes].sort(byteCompare);
  const seen = names.length <= 5 ? `endpoints are on ${names.join(', ')}` : `endpoints are on ${names.length} nodes: ${names.slice(0, 3).join(', ')}, …`;
  const node = nodeName === '' ? 'no --hostname-override given, so no endpoint is local' : `no endpoint is on node ${JSON.stringify(nodeName)} (--hostname-override)`;
  const what = services.length === 1 ? `Service ${services[0]}` : `${services.length} Services (${services[0]}, …)`;
  return {
    location: { file: first?.source.file ?? '-' },
    message: `${node} (${seen}): external traffic to externalTrafficPolicy: Local ${what} is dropped on this node`,
  };
}
