/**
 * `kp-gen ls` output: the service map (service-map.ts) as a table, one row per service port
 * (its endpoints on continuation lines, as `cilium service list` prints backends), or as JSON
 * or YAML (the map itself, versioned by its apiVersion).
 */
import yaml from 'js-yaml';
import type { EndpointView, Frontend, ServiceMap, ServicePortView } from './service-map.js';

export const LS_FORMATS = ['table', 'json', 'yaml'] as const;
export type LsFormat = (typeof LS_FORMATS)[number];

export function renderServiceMap(map: ServiceMap, format: LsFormat): string {
  if (format === 'json') return `${JSON.stringify(map, null, 2)}\n`;
  if (format === 'yaml') return yaml.dump(map, { lineWidth: -1, noRefs: true, sortKeys: false });
  return renderTable(map.items);
}

function frontendText(f: Frontend): string {
  if (f.address === null) return `${f.type} *:${f.port}`;
  return `${f.type} ${f.address.includes(':') ? `[${f.address}]` : f.address}:${f.port}`;
}

function conditions(e: EndpointView): string {
  if (e.ready === null) return '-';
  const words = [e.ready ? 'ready' : 'not-ready'];
  if (e.serving && !e.ready) words.push('serving');
  if (e.terminating) words.push('terminating');
  return words.join(',');
}

function probabilityText(p: number | null): string {
  return p === null ? '' : p.toFixed(3);
}

function endpointProbability(e: EndpointView, hasSVL: boolean): string {
  if (!hasSVL) return probabilityText(e.probability) || '-';
  return `${probabilityText(e.probability) || '-'} / ${probabilityText(e.localProbability) || '-'}`;
}

const HEADER = ['SERVICE PORT', 'PROTO', 'FRONTENDS', 'CHAINS', 'ENDPOINT CHAIN', 'ADDRESS', 'CONDITIONS', 'LOCAL', 'PROBABILITY'];

function rowCells(v: ServicePortView): string[][] {
  const hasSVL = v.chains.svl !== null;
  const chains = (['svc', 'svl', 'ext', 'fw'] as const).flatMap((k) => (v.chains[k] ? [v.chains[k]!] : []));
  if (v.healthCheckNodePort !== null) chains.push(`health check *:${v.healthCheckNodePort}`);
  for (const b of v.blocked) chains.push(`${b.target}: ${b.reason.replace(`${v.name} `, '')}`);
  const eps = v.endpoints;
  return [
    [v.name],
    [v.protocol],
    v.frontends.map(frontendText),
    chains,
    eps.map((e) => e.chain ?? '(none)'),
    eps.map((e) => e.address),
    eps.map(conditions),
    eps.map((e) => (e.local === null ? '-' : e.local ? 'yes' : 'no')),
    eps.map((e) => endpointProbability(e, hasSVL)),
  ];
}

/**
 * Aligned columns; a row is as tall as its tallest cell. With a KUBE-SVL chain the probability
 * reads "through KUBE-SVC / through KUBE-SVL".
 */
export function renderTable(items: readonly ServicePortView[]): string {
  const rows = items.map(rowCells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.flatMap((r) => r[i]!.map((s) => s.length))));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(HEADER)];
  for (const r of rows) {
    const height = Math.max(1, ...r.map((c) => c.length));
    for (let i = 0; i < height; i++) out.push(line(r.map((c) => c[i] ?? '')));
  }
  return `${out.join('\n')}\n`;
}
