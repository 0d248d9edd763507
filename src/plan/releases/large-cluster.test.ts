/**
 * Large-cluster mode in the older eras: more than 1000 endpoint chains (endpoints of all
 * service ports, counted before readiness) drop the comment helper's comments — KUBE-SVC and
 * KUBE-XLB dispatch and affinity rules through the helper, KUBE-SEP rules — but not 1.22's
 * "Balancing rule N" comments, which never went through it.
 */
import { describe, expect, it } from 'vitest';
import { defaultRunOptions } from '../../options.js';
import { generate } from '../../run.js';

function manifest(endpoints: number): string {
  const slices: string[] = [];
  for (let s = 0; s * 500 < endpoints; s++) {
    const eps: string[] = [];
    for (let i = s * 500; i < Math.min(endpoints, (s + 1) * 500); i++) {
      eps.push(`- {addresses: [10.244.${Math.floor(i / 250) + 1}.${(i % 250) + 1}], conditions: {ready: true}, nodeName: node-1}`);
    }
    slices.push(`apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-${s}, namespace: demo, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
${eps.join('\n')}`);
  }
  return [`apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  type: NodePort
  clusterIP: 10.96.0.10
  externalTrafficPolicy: Local
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30010}]`, ...slices].join('\n---\n');
}

function rules(version: string, endpoints: number): string[] {
  const text = manifest(endpoints);
  const r = generate(
    { ...defaultRunOptions(), paths: ['-'], hostnameOverride: 'node-1', clusterCIDRs: ['10.244.0.0/16'], kubeProxyVersion: version },
    { readStdin: () => text },
  );
  return r.text!.split('\n');
}

const sep = (lines: string[]) => lines.filter((l) => l.startsWith('-A KUBE-SEP-'));
const dispatch = (lines: string[], prefix: string) => lines.filter((l) => l.startsWith(`-A ${prefix}`) && l.includes('-j KUBE-SEP-'));

describe.each(['1.21', '1.22', '1.23', '1.24'])('kube-proxy %s', (version) => {
  it('keeps the comments with 1000 endpoint chains', () => {
    const lines = rules(version, 1000);
    expect(sep(lines).every((l) => l.includes('--comment demo/web:http'))).toBe(true);
    expect(dispatch(lines, 'KUBE-SVC-').every((l) => l.includes('--comment'))).toBe(true);
  });

  it('drops the helper\'s comments with 1001', () => {
    const lines = rules(version, 1001);
    expect(sep(lines).length).toBe(2002);
    expect(sep(lines).some((l) => l.includes('--comment'))).toBe(false);
    expect(dispatch(lines, 'KUBE-SVC-').some((l) => l.includes('--comment'))).toBe(false);
    const local = dispatch(lines, version === '1.24' ? 'KUBE-SVL-' : 'KUBE-XLB-');
    expect(local.length).toBe(2002); // affinity and dispatch rule per local endpoint
    if (version === '1.21' || version === '1.22') {
      // "Balancing rule N for P" and the XLB affinity rules' P never went through the helper.
      expect(local.every((l) => l.includes('--comment'))).toBe(true);
      expect(local.at(-1)).toContain('"Balancing rule 1000 for demo/web:http"');
    } else {
      expect(local.some((l) => l.includes('--comment'))).toBe(false);
    }
  });
});
