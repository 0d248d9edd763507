import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { runCli } from './main.js';
import { defaultRunOptions } from './options.js';
import { checkNodeSettings, generate } from './run.js';

describe('generate', () => {
  it('returns the service ports it planned, reading stdin once', () => {
    let reads = 0;
    const readStdin = (): string => {
      reads++;
      return readFileSync('examples/shop.yaml', 'utf8');
    };
    const r = generate({ ...defaultRunOptions(), paths: ['-'], hostnameOverride: 'node-1' }, { readStdin });
    expect(r.ports.map((p) => p.svcPort.nameString)).toEqual([
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'shop/backend:grpc',
      'shop/backend:http',
      'shop/cache:redis',
      'shop/frontend:http',
    ]);
    expect(r.ports.find((p) => p.svcPort.nameString === 'shop/frontend:http')!.endpoints.map((e) => e.endpoint)).toEqual([
      '10.244.1.10:8080',
      '10.244.2.10:8080',
    ]);
    expect(r.text).toContain('-A KUBE-SVC-PY4JZH2ITZYEO4CN');
    expect(reads).toBe(1);
  });
});

describe('notes on what was made up', () => {
  process.env.FORCE_COLOR = '0';
  const manifest = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: NodePort, ports: [{port: 80}]}\n';
  const run = async (...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...flags, '-'], {
      stdout: async (s) => void (stdout += typeof s === 'string' ? s : Buffer.from(s).toString()),
      stderr: (s) => void (stderr += s),
      readStdin: () => manifest,
      stdoutIsTTY: false,
    });
    return { code, stdout, stderr };
  };

  it('are one line per completed Service, kept apart from warnings, never fatal under --strict', async () => {
    const r = generate({ ...defaultRunOptions(), paths: ['-'], strict: true }, { readStdin: () => manifest });
    expect(r.warnings).toEqual([]);
    expect(r.notes.map((n) => n.location.object)).toEqual(['Service shop/web']);
    const strict = await run('--strict');
    expect(strict.code).toBe(0);
    expect(strict.stderr).toMatch(/^note: -: Service shop\/web: allocated clusterIP 10\.\d+\.\d+\.\d+; nodePort 3\d{4} for 80\/TCP\n$/);
  });

  it('are not printed with -q', async () => {
    const quiet = await run('-q');
    expect([quiet.code, quiet.stderr]).toEqual([0, '']);
    expect(quiet.stdout).toBe((await run()).stdout);
  });
});

describe('checkNodeSettings', () => {
  it("refuses a Node's pod CIDR that is not one, as the flag would be refused", () => {
    const node = { name: 'node-1', nodeIPs: ['10.0.0.1'], podCIDRs: ['10.244.1.0/24', '10.244.2.0/33'] };
    expect(() => checkNodeSettings(node, 'cluster:prod')).toThrow(
      new InputError({ file: 'cluster:prod', object: 'Node node-1', field: 'spec.podCIDRs[1]' }, '"10.244.2.0/33" is not a CIDR'),
    );
    expect(() => checkNodeSettings({ ...node, podCIDRs: ['10.244.1.0/24'] }, 'cluster:prod')).not.toThrow();
  });
});
