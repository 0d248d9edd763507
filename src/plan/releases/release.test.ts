import { describe, expect, it } from 'vitest';
import { FEATURE_SWITCHES, gateEnabled, hasFeature, releaseFeatures, RULE_FEATURE_GATES } from './features.js';
import { compareReleases, formatRelease, NEWEST, OLDEST_KNOWN_MINOR, OLDEST_MODELLED, parseRelease, ReleaseError } from './release.js';

describe('parseRelease', () => {
  it.each([
    ['1.10', { major: 1, minor: 10 }],
    ['v1.12.10', { major: 1, minor: 12, patch: 10 }],
    ['1.18.6', { major: 1, minor: 18, patch: 6 }],
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
    ['1.9', /1\.9 is not supported: kp-gen models 1\.10 … 1\.34/],
    ['1.9.11', /1\.9\.11 is not supported/],
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

  it('a switch is off in the release before it and on from it (backports: from their patch)', () => {
    for (const name of Object.keys(FEATURE_SWITCHES) as (keyof typeof FEATURE_SWITCHES)[]) {
      const { since, backports } = FEATURE_SWITCHES[name];
      expect(hasFeature(at(since - 1), name), name).toBe(false);
      expect(hasFeature(at(since), name), name).toBe(true);
      const backported = backports.some(([minor]) => minor === since - 1);
      expect(hasFeature({ major: 1, minor: since - 1, patch: 99 }, name), name).toBe(backported);
      for (const [minor, patch] of backports) {
        expect(hasFeature({ major: 1, minor, patch: patch - 1 }, name), `${name} ${minor}.${patch - 1}`).toBe(false);
        expect(hasFeature({ major: 1, minor, patch }, name), `${name} ${minor}.${patch}`).toBe(true);
        expect(hasFeature(at(minor), name), `${name} ${minor} (the .0 release)`).toBe(false);
      }
    }
  });

  it('the July 2020 KUBE-POSTROUTING backport: 1.16.13, 1.17.9, 1.18.6', () => {
    const unmark = (release: { major: number; minor: number; patch?: number }) => releaseFeatures(release, {}).unmarkBeforeMasquerade;
    expect([unmark({ major: 1, minor: 16, patch: 12 }), unmark({ major: 1, minor: 16, patch: 13 })]).toEqual([false, true]);
    expect([unmark({ major: 1, minor: 17, patch: 8 }), unmark({ major: 1, minor: 17, patch: 9 })]).toEqual([false, true]);
    expect([unmark({ major: 1, minor: 18, patch: 5 }), unmark({ major: 1, minor: 18, patch: 6 })]).toEqual([false, true]);
    expect([unmark(at(15)), unmark(at(18)), unmark(at(19))]).toEqual([false, false, true]);
  });

  it('1.10 … 1.18: the old eras\' switches', () => {
    const pick = (minor: number) => {
      const f = releaseFeatures(at(minor), {});
      return [f.endpointComments, f.forwardInvalidDrop, f.xlbLocalTraffic, f.masqueradeRandomFully, f.probabilityTenDigits, f.forwardConntrackAnySource, f.unnamedPortColon];
    };
    expect(pick(10)).toEqual(['always', false, 'none', false, false, false, true]);
    expect(pick(11)).toEqual(['always', false, 'none', false, false, false, true]);
    expect(pick(12)).toEqual(['never', false, 'none', false, false, false, true]);
    expect(pick(14)).toEqual(['never', false, 'none', false, false, false, true]);
    expect(pick(15)).toEqual(['never', true, 'before-redirect', false, false, false, true]);
    expect(pick(16)).toEqual(['never', true, 'after-redirect', true, false, false, true]);
    expect(pick(17)).toEqual(['below-threshold', true, 'after-redirect', true, true, false, true]);
    expect(pick(18)).toEqual(['below-threshold', true, 'after-redirect', true, true, true, true]);
    expect(pick(19)).toEqual(['below-threshold', true, 'after-redirect', true, true, true, false]);
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
      readyEndpointsOnly: false,
      topologyHintsAutoValue: true,
      topologyKeysField: false,
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
      endpointComments: 'below-threshold',
      forwardInvalidDrop: true,
      xlbLocalTraffic: 'after-redirect',
      masqueradeRandomFully: true,
      forwardConntrackAnySource: true,
      unmarkBeforeMasquerade: true,
      unnamedPortColon: false,
      zoneHintsField: true,
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
      readyEndpointsOnly: false,
      topologyHintsAutoValue: true,
      topologyKeysField: false,
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
      endpointComments: 'below-threshold',
      forwardInvalidDrop: true,
      xlbLocalTraffic: 'after-redirect',
      masqueradeRandomFully: true,
      forwardConntrackAnySource: true,
      unmarkBeforeMasquerade: true,
      unnamedPortColon: false,
      zoneHintsField: true,
    });
  });

  it('1.25 has none of the 1.26 and 1.27 switches, and ProxyTerminatingEndpoints off unless given', () => {
    const f = releaseFeatures(at(25), {});
    expect(OLDEST_MODELLED).toEqual({ major: 1, minor: 10 });
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

  it('EndpointSliceCache: keyed by IP and ready-only in 1.19/1.20, by IP in 1.21, by ip:port from 1.22', () => {
    const pick = (r: { major: number; minor: number; patch?: number }) => {
      const f = releaseFeatures(r, {});
      return [f.endpointDedup, f.readyEndpointsOnly];
    };
    expect(pick(at(18))).toEqual(['first-or-local', false]);
    expect(pick(at(19))).toEqual(['ip-first-or-local', true]);
    expect(pick(at(20))).toEqual(['ip-first-or-local', true]);
    expect(pick(at(21))).toEqual(['ip-first-or-local', false]);
    expect(pick(at(22))).toEqual(['first-or-local', false]);
  });

  it('topology before 1.24: hints only with the gate, "Auto" from 1.21.1, topologyKeys in 1.17 … 1.21', () => {
    expect(releaseFeatures(at(23), {}).topologyHints).toBe('never');
    expect(releaseFeatures(at(23), { TopologyAwareHints: true }).topologyHints).toBe('with-annotation');
    expect(releaseFeatures(at(24), {}).topologyHints).toBe('with-annotation');
    expect(releaseFeatures(at(20), { TopologyAwareHints: true }).topologyHints).toBe('never');
    expect(releaseFeatures(at(21), {}).topologyHintsAutoValue).toBe(false);
    expect(releaseFeatures({ major: 1, minor: 21, patch: 1 }, {}).topologyHintsAutoValue).toBe(true);
    expect([16, 17, 21, 22].map((m) => releaseFeatures(at(m), {}).topologyKeysField)).toEqual([false, true, true, false]);
  });
});
