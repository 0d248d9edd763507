import { describe, expect, it } from 'vitest';
import { formatReply, parseReply } from './reply.js';
import type { LabStatus } from './lab.js';
import type { LabPlan } from './plan.js';
import { formatProbe, formatStatus } from './report.js';
import type { ProbeResult } from './probe.js';

const reply = (pod: string, ip: string, peer: string, port: number): ProbeResult => {
  const line = formatReply({ pod, local: { ip, port: 8080 }, peer: { ip: peer, port } }).trim();
  return { outcome: { ok: true, reply: line }, reply: parseReply(line) };
};

describe('reply lines', () => {
  it('round-trip', () => {
    const r = { pod: 'kpg-lab-p1', local: { ip: '10.244.1.10', port: 8080 }, peer: { ip: '192.0.2.2', port: 40112 } };
    expect(formatReply(r)).toBe('kpg-lab-p1 10.244.1.10:8080 saw 192.0.2.2:40112\n');
    expect(parseReply(formatReply(r))).toEqual(r);
    expect(parseReply('HTTP/1.0 200 OK')).toBeNull();
  });
});

describe('formatProbe', () => {
  it('tallies answers by pod and seen source, ignoring source ports, most frequent first', () => {
    const results: ProbeResult[] = [
      reply('kpg-lab-p2', '10.244.2.10', '192.0.2.1', 1000),
      reply('kpg-lab-p1', '10.244.1.10', '192.0.2.1', 1001),
      reply('kpg-lab-p2', '10.244.2.10', '192.0.2.1', 1002),
      { outcome: { ok: false, error: 'timeout' }, reply: null },
    ];
    expect(formatProbe('kpg-lab-client', { protocol: 'TCP', ip: '10.96.0.100', port: 80, count: 4, timeoutMs: 1000 }, results)).toBe(
      '4 × TCP 10.96.0.100:80 from kpg-lab-client:\n' +
        '  2  kpg-lab-p2 10.244.2.10:8080 saw 192.0.2.1\n' +
        '  1  kpg-lab-p1 10.244.1.10:8080 saw 192.0.2.1\n' +
        '  1  no answer: timeout\n',
    );
  });
});

describe('formatStatus', () => {
  it('shows a record\'s names and paths escaped: a hand-edited record cannot move the cursor or add a line', () => {
    const plan = { name: 'lab', nodeNs: 'kpg-lab-node', nodeIP: '192.0.2.1', clientNs: 'kpg-lab-client', clientIPs: ['192.0.2.2'], pods: [], access: [] } as unknown as LabPlan;
    const st: LabStatus = {
      state: { version: 2, plan, namespaces: [], namespaceIds: {}, servers: [], paths: ['in\x1b[2J.yaml'], createdDirs: [], token: 't' },
      missingNamespaces: ['kpg-lab-p1\nwarning: forged'],
      deadServers: [{ ns: 'kpg-lab-p2\r' } as LabStatus['deadServers'][number]],
      counters: [],
    };
    const lines = formatStatus(st, false).split('\n');
    expect(lines.slice(1, 4)).toEqual([
      'rules generated from: in\\x1b[2J.yaml',
      'warning: namespaces gone: kpg-lab-p1\\nwarning: forged',
      'warning: servers not running in: kpg-lab-p2\\r',
    ]);
  });
});
