/**
 * The README's lab walkthrough, for real: `kp-gen lab up examples/`, the printed curl line
 * from the client namespace, `lab status` counting the rule that carried it, `lab down`
 * leaving no namespace behind. Plus the lab's errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeNamespaces } from '../src/lab/netns.js';
import { listNamespaces } from '../src/lab/shell.js';
import { cleanupLab, labNamespaces, newTestLab, requireLab } from './helpers/lab.js';
import { runKpGen } from './helpers/cli.js';

const run = requireLab('lab CLI tests', ['curl']);

describe.runIf(run)('kp-gen lab up, status, down', () => {
  const lab = newTestLab();
  const labFlags = ['--name', lab.name, '--state-dir', lab.stateDir];
  afterAll(() => cleanupLab(lab));

  it('walks through the README', async () => {
    const up = await runKpGen(['lab', 'up', ...labFlags, '--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', 'examples/']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(labNamespaces(lab).length).toBe(2 + 7);

    // The README's excerpt of this output is real output (our lab's name in place of "lab").
    const readme = readFileSync('README.md', 'utf8');
    const block = /```\n(lab "lab" is up[\s\S]*?)```/.exec(readme)![1]!;
    const squash = (l: string): string => l.replace(/kpg-lab-/g, `kpg-${lab.name}-`).replace(/\s+/g, ' ').trim();
    const actual = new Set(up.stdout.split('\n').map(squash));
    const shown = block.split('\n').filter((l) => l.trim() !== '' && !l.includes('…') && !l.includes('kp-gen lab') && !l.includes('recorded in'));
    expect(shown.length).toBeGreaterThan(8);
    expect(shown.filter((l) => !actual.has(squash(l)))).toEqual([]);

    // The command printed for the frontend's cluster IP, run as printed.
    const line = up.stdout.split('\n').find((l) => l.includes('http://10.96.0.100:80/'));
    expect(line).toBeDefined();
    const curl = line!.trim().split(/\s+/).slice(2);
    expect(curl.slice(0, 3)).toEqual(['ip', 'netns', 'exec']);
    const r = spawnSync(curl[0]!, curl.slice(1), { encoding: 'utf8', timeout: 10_000 });
    expect(r.status, r.stderr).toBe(0);
    // A frontend pod answers; the client is outside --cluster-cidr, so it sees the node.
    expect(r.stdout).toMatch(/^kpg-\S+-p\d+ 10\.244\.[12]\.10:8080 saw 192\.0\.2\.1:\d+\n$/);
    const pod = /10\.244\.[12]\.10/.exec(r.stdout)![0];

    const status = await runKpGen(['lab', 'status', ...labFlags]);
    expect(status.code).toBe(0);
    const dnat = status.stdout.split('\n').find((l) => l.includes(`DNAT --to-destination ${pod}:8080`));
    expect(dnat).toMatch(/^\s+1\s+\d+\s+-A KUBE-SEP-/);
    expect(status.stdout).not.toContain(`DNAT --to-destination 10.244.1.20:8000`); // no traffic went there

    const probe = await runKpGen(['lab', 'probe', ...labFlags, '--udp', '--count', '3', '10.96.0.10:53']);
    expect(probe.code).toBe(0);
    expect(probe.stdout).toMatch(/3 {2}kpg-\S+-p1 10\.244\.0\.5:53 saw 192\.0\.2\.1\n/);

    const again = await runKpGen(['lab', 'up', ...labFlags, 'examples/']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already up');

    const list = await runKpGen(['lab', 'list', '--state-dir', lab.stateDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(`NAME${' '.repeat(lab.name.length - 2)}NAMESPACES  SERVERS  INPUT\n${lab.name}  9/9         7/7      examples/\n`);

    const down = await runKpGen(['lab', 'down', ...labFlags]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('is down: removed 9 namespaces and 7 servers');
    expect(labNamespaces(lab)).toEqual([]);
    // The state directory was there before (the test made it): left, and empty.
    expect(readdirSync(lab.stateDir)).toEqual([]);

    // Down is idempotent: a second down has nothing to do, and says so.
    const again2 = await runKpGen(['lab', 'down', ...labFlags]);
    expect(again2.code).toBe(0);
    expect(again2.stdout).toBe(`lab "${lab.name}" is not up: nothing to do\n`);
    const none = await runKpGen(['lab', 'list', '--state-dir', lab.stateDir]);
    expect(none.stdout).toBe(`no lab is up (none recorded in ${lab.stateDir})\n`);

    const gone = await runKpGen(['lab', 'status', ...labFlags]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('is up');
  }, 30_000);

  it('refuses IPv6 and pod addresses that clash with the lab', async () => {
    const v6 = await runKpGen(['lab', 'up', ...labFlags, '--ip-family', 'ipv6', 'examples/']);
    expect(v6.code).toBe(1);
    expect(v6.stderr).toContain('IPv4 labs only');
    const clash = await runKpGen(['lab', 'up', ...labFlags, '--node-ip', '10.244.1.10', 'examples/']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("endpoint 10.244.1.10 of shop/frontend:http is the lab's node or client address");
    expect(labNamespaces(lab)).toEqual([]);
  });

  it('says clearly when it is not run as root', async () => {
    const spy = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      const r = await runKpGen(['lab', 'up', ...labFlags, 'examples/']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('kp-gen lab needs root');
    } finally {
      spy.mockRestore();
    }
  });
});

describe.runIf(run)('kp-gen lab touches only what it made', () => {
  const lab = newTestLab();
  const labFlags = ['--name', lab.name, '--state-dir', lab.stateDir];
  afterAll(() => cleanupLab(lab));

  it('never reuses (nor later removes) a directory that was there before', async () => {
    const mine = join(lab.stateDir, lab.name);
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'mine\n');
    const up = await runKpGen(['lab', 'up', ...labFlags, 'examples/']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`${mine} exists already and was not made by this lab`);
    expect(labNamespaces(lab)).toEqual([]);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine\n');
    const down = await runKpGen(['lab', 'down', ...labFlags]);
    expect(down.code).toBe(0);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  it('a forged record can neither delete namespaces the lab did not make nor run a program', async () => {
    const suffix = lab.name.slice(1);
    const foreign = `kpx${suffix}`;
    const lookalike = `kpg-${lab.name}-node`; // the lab's name for it, but the lab did not make it
    const marker = join(lab.stateDir, 'ran');
    const script = join(lab.stateDir, 'evil.sh');
    writeFileSync(script, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    try {
      for (const ns of [foreign, lookalike]) expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
      const forged = {
        version: 2,
        plan: { name: lab.name, nodeNs: lookalike, clientNs: `kpg-${lab.name}-client`, nodeIP: '192.0.2.1', clientIPs: [], pods: [], access: [] },
        namespaces: [lookalike, foreign],
        namespaceIds: { [lookalike]: 4026531840, [foreign]: 4026531841 },
        servers: [{ ns: foreign, pid: 1 }],
        paths: [],
        createdDirs: ['/'],
        token: 'x',
        iptablesSave: script,
      };
      writeFileSync(join(lab.stateDir, `${lab.name}.json`), JSON.stringify(forged));
      const status = await runKpGen(['lab', 'status', ...labFlags]);
      expect(status.code, status.stderr).toBe(0);
      expect(existsSync(marker)).toBe(false);
      const probe = await runKpGen(['lab', 'probe', ...labFlags, '--from', 'node', '10.96.0.1:80']);
      expect(probe.code).toBe(1);
      expect(probe.stderr).toContain(`namespace ${lookalike} of lab "${lab.name}" is gone, or was not made by it`);
      const down = await runKpGen(['lab', 'down', ...labFlags]);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain('removed 0 namespaces');
      expect(listNamespaces()).toEqual(expect.arrayContaining([foreign, lookalike]));
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(lab.stateDir)).toBe(true);
    } finally {
      removeNamespaces([foreign, lookalike]);
    }
  });
});

describe('kp-gen lab usage errors', () => {
  it.each([
    [['lab'], 'kp-gen lab needs a sub-command'],
    [['lab', 'up'], "missing required argument 'path'"],
    [['lab', 'up', '--bogus', 'x'], "unknown option '--bogus'"],
    [['lab', 'probe', '10.96.0.1'], 'expected IPv4:PORT'],
  ])('kp-gen %j exits 2', async (argv, message) => {
    const r = await runKpGen(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });

  it.each([
    [['lab', 'probe', '--count', 'x', '10.96.0.1:80'], 'error: --count: "x" is not an integer\n'],
    [['lab', 'up', '--iptables-masquerade-mark', 'foo', 'examples/'], 'error: --iptables-masquerade-mark: "foo" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)\n'],
  ])('kp-gen %j exits 1: a bad flag value', async (argv, stderr) => {
    const r = await runKpGen(argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(stderr);
  });
});
