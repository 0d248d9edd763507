import { describe, expect, it } from 'vitest';
import { buildProxierConfig } from './config.js';
import { InternalError, UserError } from './errors.js';
import { defaultRunOptions, type RunOptions } from './options.js';

const config = (o: Partial<RunOptions>) => buildProxierConfig({ ...defaultRunOptions(), ...o });

describe('buildProxierConfig', () => {
  it('keeps the mark text as given, and renders the bit as Go does', () => {
    expect(config({ masqueradeMark: '040000' }).masqueradeMark).toBe('040000');
    expect(config({ masqueradeBit: 15 }).masqueradeMark).toBe('0x00008000');
  });

  it('expands primary to the node IPs', () => {
    const c = config({ nodeIPs: ['192.168.1.10', 'fd00::10'], nodePortAddresses: ['primary'] });
    expect(c.nodePortAddresses.map((n) => n.prefix)).toEqual([32]);
    expect(c.localhostNodePorts).toBe(false);
  });

  it('refuses combinations the readers cannot see: a detect-local mode without its input', () => {
    expect(() => config({ detectLocalMode: 'NodeCIDR' })).toThrow(new UserError("--detect-local-mode NodeCIDR needs --pod-cidr (the node's spec.podCIDR)"));
  });

  it('treats a value that was not checked when read as a bug, not as the user\'s error', () => {
    expect(() => config({ masqueradeMark: 'foo' })).toThrow(InternalError);
    expect(() => config({ clusterCIDRs: ['10.0.0.0/33'] })).toThrow(InternalError);
    expect(() => config({ iptablesVersion: 'latest' })).toThrow(InternalError);
  });
});
