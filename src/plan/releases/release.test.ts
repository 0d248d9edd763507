import { describe, expect, it } from 'vitest';
import { FEATURE_SWITCHES, gateEnabled, hasFeature, releaseFeatures, RULE_FEATURE_GATES } from './features.js';
import { compareReleases, formatRelease, NEWEST, OLDEST_KNOWN_MINOR, OLDEST_MODELLED, parseRelease, ReleaseError } from './release.js';

describe('parseRelease', () => {
  it.each([
    ['1.19', { major: 1, minor: 19 }],
    ['1.24', { major: 1, minor: 24 }],
    ['1.25', { major: 1, minor: 25 }],
    ['1.28', { major: 1, minor: 28 }],
    ['v1.28', { major: 1, minor: 28 }],
    ['1.28.3', { major: 1, minor: 28, patch: 3 }],
    ['v1.34.0', { major: 1, minor: 34, patch: 0 }],
  ])('%s', (text, release) => {
    expect(parseRelease(text)).toEqual(release);
  });

  it.each([
    ['1.18', /1\.18 is not modelled yet: kp-gen models 1\.19 … 1\.34/],
    ['1.10', /not modelled yet/],
    ['1.9', /1\.9 is not supported/],
    ['1.35', /1\.35 is not supported/],
    ['2.0', /2\.0 is not supported/],
    ['1.28-rc.1', /is not a kube-proxy version/],
    ['1', /is not a kube-proxy version/],
    ['', /is not a kube-proxy version/],
  ])('refuses %j', (text, message) => {
    expect(() => parseRelease(text)).toThrow(ReleaseError);
    expect(() => parseRelease(text)).toThrow(message);
  });

  it('formats and orders releases', () => {
    expect(formatRelease({ major: 1, minor: 29, patch: 2 })).toBe('1.29.2');
    expect(compareReleases({ major: 1, minor: 29 }, { major: 1, minor: 29, patch: 0 })).toBe(0);
    expect(compareReleases(OLDEST_MODELLED, NEWEST)).toBeLessThan(0);
  });
});

describe('feature table', () => {
  const at = (minor: number) => ({ major: 1, minor });

  it('every switch starts inside the modelled range and cites a source', () => {
    for (const [name, f] of Object.entries(FEATURE_SWITCHES)) {
      // Switches older than the oldest modelled release are data for the older eras' planners.
      expect(f.since, name).toBeGreaterThan(OLDEST_KNOWN_MINOR);
      expect(f.since, name).toBeLessThanOrEqual(NEWEST.minor);
      expect(f.source, name).toMatch(/PR #\d+|@[0-9a-f]{8}|kube_features\.go/);
    }
  });

  it('a switch is off in the release before it and on from it', () => {
    for (const name of Object.keys(FEATURE_SWITCHES) as (keyof typeof FEATURE_SWITCHES)[]) {
      const since = FEATURE_SWITCHES[name].since;
      expect(hasFeature(at(since - 1), name), name).toBe(false);
      expect(hasFeature(at(since), name), name).toBe(true);
      expect(hasFeature({ major: 1, minor: since - 1, patch: 99 }, name), name).toBe(false);
    }
  });

  it('gates: absent before alpha, the value given while alpha/beta, locked on from GA', () => {
    const g = RULE_FEATURE_GATES.LoadBalancerIPMode;
    expect(gateEnabled(at(g.alpha - 1), 'LoadBalancerIPMode', { LoadBalancerIPMode: true })).toBe(false);
    expect(gateEnabled(at(g.alpha), 'LoadBalancerIPMode', {})).toBe(false);
    expect(gateEnabled(at(g.alpha), 'LoadBalancerIPMode', { LoadBalancerIPMode: true })).toBe(true);
    expect(gateEnabled(at(g.defaultOn), 'LoadBalancerIPMode', {})).toBe(true);
    expect(gateEnabled(at(g.defaultOn), 'LoadBalancerIPMode', { LoadBalancerIPMode: false })).toBe(false);
    expect(gateEnabled(at(g.locked), 'LoadBalancerIPMode', { LoadBalancerIPMode: false })).toBe(true);
  });

  it('the newest release with default gates is what kp-gen wrote before the flag existed', () => {
    expect(releaseFeatures(NEWEST, {})).toEqual({
      conntrackLiberalSkipsInvalidDrop: true,
      nfacctCounters: true,
      ipModeField: true,
      honourIPMode: true,
      topologyHints: 'always',
      nodeHintsField: true,
      preferSameTrafficDistribution: true,
      serviceAddressesCanonical: true,
      endpointAddressesCanonical: true,
      endpointDedup: 'prefer-non-terminating',
      internalTrafficPolicy: true,
      proxyTerminatingEndpoints: true,
      localhostNodePortsOption: true,
      localnetFirewallRule: true,
      firewallChainDropComment: true,
      topologyModeAnnotation: true,
      internalTrafficPolicyField: true,
      probabilityTenDigits: true,
      serviceCommentHelperFixed: true,
      healthCheckNodePortFilterRules: true,
      singleForwardConntrackRule: true,
      bareServiceAddresses: true,
      plainLocalDispatchComments: true,
    });
    // As before: the node-hints gate can be turned off, the locked ones cannot.
    expect(releaseFeatures(NEWEST, { PreferSameTrafficDistribution: false }).preferSameTrafficDistribution).toBe(false);
    expect(releaseFeatures(NEWEST, { LoadBalancerIPMode: false, ServiceTrafficDistribution: false })).toEqual(releaseFeatures(NEWEST, {}));
  });

  it('1.28 has none of the later ones', () => {
    expect(releaseFeatures(at(28), { LoadBalancerIPMode: true, ServiceTrafficDistribution: true, PreferSameTrafficDistribution: true, ProxyTerminatingEndpoints: false })).toEqual({
      conntrackLiberalSkipsInvalidDrop: false,
      nfacctCounters: false,
      ipModeField: false,
      honourIPMode: false,
      topologyHints: 'with-annotation',
      nodeHintsField: false,
      preferSameTrafficDistribution: false,
      serviceAddressesCanonical: false,
      endpointAddressesCanonical: false,
      endpointDedup: 'first-or-local',
      internalTrafficPolicy: true,
      proxyTerminatingEndpoints: true,
      localhostNodePortsOption: true,
      localnetFirewallRule: true,
      firewallChainDropComment: true,
      topologyModeAnnotation: true,
      internalTrafficPolicyField: true,
      probabilityTenDigits: true,
      serviceCommentHelperFixed: true,
      healthCheckNodePortFilterRules: true,
      singleForwardConntrackRule: true,
      bareServiceAddresses: true,
      plainLocalDispatchComments: true,
    });
  });

  it('1.25 has none of the 1.26 and 1.27 switches, and ProxyTerminatingEndpoints off unless given', () => {
    const f = releaseFeatures(at(25), {});
    expect(OLDEST_MODELLED).toEqual({ major: 1, minor: 19 });
    expect([f.proxyTerminatingEndpoints, f.localhostNodePortsOption, f.localnetFirewallRule, f.firewallChainDropComment, f.topologyModeAnnotation])
      .toEqual([false, false, false, false, false]);
    expect(releaseFeatures(at(25), { ProxyTerminatingEndpoints: true }).proxyTerminatingEndpoints).toBe(true);
    expect(releaseFeatures(at(26), {}).proxyTerminatingEndpoints).toBe(true);
    expect(releaseFeatures(at(27), { ProxyTerminatingEndpoints: false }).proxyTerminatingEndpoints).toBe(false);
    expect(releaseFeatures(at(26), {}).localnetFirewallRule).toBe(false);
    expect(releaseFeatures(at(25), { ServiceInternalTrafficPolicy: false }).internalTrafficPolicy).toBe(false);
    expect(releaseFeatures(at(26), { ServiceInternalTrafficPolicy: false }).internalTrafficPolicy).toBe(true);
    expect(releaseFeatures(at(27), {}).localnetFirewallRule).toBe(true);
  });

  it('1.19 … 1.24: the era switches', () => {
    const pick = (minor: number) => {
      const f = releaseFeatures(at(minor), {});
      return [f.healthCheckNodePortFilterRules, f.singleForwardConntrackRule, f.bareServiceAddresses, f.plainLocalDispatchComments, f.internalTrafficPolicyField, f.internalTrafficPolicy];
    };
    expect(pick(19)).toEqual([false, false, false, false, false, false]);
    expect(pick(20)).toEqual([false, false, false, false, false, false]);
    expect(pick(21)).toEqual([true, false, false, false, true, false]);
    expect(pick(22)).toEqual([true, false, false, false, true, true]);
    expect(pick(23)).toEqual([true, true, true, true, true, true]);
    expect(releaseFeatures(at(19), {}).probabilityTenDigits).toBe(true);
    expect(releaseFeatures(at(16), {}).probabilityTenDigits).toBe(false);
  });
});
