import { describe, expect, it } from 'vitest';
import { parseArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { runKpGen } from '../../test/helpers/cli.js';

const parse = (argv: string[]) => parseArgs(argv, { out: () => {} });

describe('sub-command wiring', () => {
  it.each([
    [['diff', 'a', 'b']],
    [['diff', '--json', '--color', 'never', 'a', 'b']],
    [['diff', '--manifests', 'm/', '--cluster-cidr', '10.0.0.0/8', 'b']],
    [['trace', '--rules', 'r', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', '--node-ip', '10.0.0.9', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80', '--proto', 'udp', '--from', 'pod']],
  ])('%j parses to a command', (argv) => {
    expect(parse(argv)).toMatchObject({ kind: 'command', name: argv[0] });
  });

  it.each([
    [['diff', 'a']],
    [['diff', 'a', 'b', 'c']],
    [['diff', '--manifests', 'm/', 'a', 'b']],
    [['diff', '--node-ip', '10.0.0.1', 'a', 'b']],
    [['diff', '--color', 'sometimes', 'a', 'b']],
    [['trace', '--rules', 'r', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', '--rules', 'r', '--masquerade-all', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--ip-family', 'ipv6', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--src', 'x', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1']],
  ])('%j is a usage error', (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });

  it('keeps the main command\'s options positional: flags after a sub-command belong to it', () => {
    const r = parse(['diff', '--manifests', 'm/', '--cluster-cidr', '10.0.0.0/8', 'b']);
    expect(r.kind).toBe('command');
    expect(parse(['--cluster-cidr', '10.0.0.0/8', 'examples/'])).toMatchObject({ kind: 'generate', options: { clusterCIDRs: ['10.0.0.0/8'] } });
  });
});

describe('diff colours', () => {
  const a = 'fixtures/core/clusterip-basic/expected.rules';
  const b = 'fixtures/core/multi-port/expected.rules';
  it('colours with --color always, not when stdout is not a terminal, not with --color never', async () => {
    expect((await runKpGen(['diff', '--color', 'always', a, b])).stdout).toContain('\u001b[');
    expect((await runKpGen(['diff', a, b])).stdout).not.toContain('\u001b[');
    expect((await runKpGen(['diff', '--color', 'never', a, b], '', { stdoutIsTTY: true })).stdout).not.toContain('\u001b[');
  });
});
