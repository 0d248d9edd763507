/**
 * What changed in kube-proxy's iptables output from release to release, in one table: each
 * switch names the first release with the behaviour, the patch releases it was backported to
 * (the July 2020 KUBE-POSTROUTING change so far), and the source it was settled from. Feature gates that
 * change rules are a second table: when each became available and default-on.
 *
 * Everything else about a release is derived from these two tables (releaseFeatures); no
 * other module compares versions.
 */
import { atLeast, type Release } from './release.js';

export interface FeatureSwitch {
  /** What the output looks like from `since` on. */
  readonly summary: string;
  /** The first minor release with the behaviour (1.x). */
  readonly since: number;
  /** Patch releases of earlier minors that got it too: `[minor, patch]` (the first patch with it). */
  readonly backports: readonly (readonly [number, number])[];
  /** Where it was settled: a PR, or a source file at a commit. */
  readonly source: string;
}

export const FEATURE_SWITCHES = {
  endpointCommentsDropped: {
    summary: 'the rules of KUBE-SVC → KUBE-SEP dispatch, session-affinity --rcheck and both KUBE-SEP rules carry no comment: the new comment helper appendServiceCommentLocked returns the extended arguments and its callers discard them; before, those rules carry `-m comment --comment P` always (serviceCommentHelperFixed ends this in 1.17)',
    since: 12,
    backports: [],
    source: 'PR #65755 (2018-07, the helper); the discarded result in proxier.go at MikeSpreitzer/kubernetes@58956344 (1.16-dev) and in search-index copy 66701277317 (1.13/1.14-era, glog → klog, svcInfo fields); comment-less KUBE-SEP rules in a real 2019-03 dump quoted in PR #75893',
  },
  forwardInvalidDrop: {
    summary: 'KUBE-FORWARD starts with `-m conntrack --ctstate INVALID -j DROP`',
    since: 15,
    backports: [],
    source: 'PR #74840 (1.15 release notes, kube-proxy-versions.md errata 2); present at MikeSpreitzer/kubernetes@58956344',
  },
  xlbLocalTrafficRules: {
    summary: 'KUBE-XLB chains get "masquerade LOCAL traffic for P LB IP" and "route LOCAL traffic for P LB IP to service chain" (`-m addrtype --src-type LOCAL`), written before the "Redirect pods…" rule',
    since: 15,
    backports: [],
    source: 'PR #77523 (2019-05); before the Redirect rule at MikeSpreitzer/kubernetes@58956344; absent from search-index copy 66701277317 (1.14-era)',
  },
  xlbLocalTrafficAfterRedirect: {
    summary: 'the two LOCAL-traffic KUBE-XLB rules come after the "Redirect pods…" rule',
    since: 16,
    backports: [],
    source: 'PR #78662 (opened 2019-06-03, after the 1.15 freeze); after the Redirect rule in search-index copy 59534007 (1.18-dev)',
  },
  masqueradeRandomFully: {
    summary: 'the KUBE-POSTROUTING MASQUERADE rule gets --random-fully when iptables ≥ 1.6.2',
    since: 16,
    backports: [],
    source: 'PR #78547 (milestone v1.16); masqueradeRandomFully from the iptables version at MikeSpreitzer/kubernetes@58956344',
  },
  forwardConntrackAnySource: {
    summary: 'the two KUBE-FORWARD "conntrack pod source/destination" rules lose their -s/-d cluster CIDR and are written without --cluster-cidr too (LocalTrafficDetector)',
    since: 18,
    backports: [],
    source: 'PR #87748 (merged February 2020, v1.18; PR #97279 says it "removed the clusterCIDR check in the forwarding rules"); the CIDR form in search-index copy 59534007 (1.18-dev before #87748)',
  },
  unmarkBeforeMasquerade: {
    summary: 'KUBE-POSTROUTING is three rules (RETURN unless marked, --xor-mark, MASQUERADE) and KUBE-MARK-MASQ uses --or-mark; before, one MASQUERADE rule matching the mark and KUBE-MARK-MASQ --set-xmark M/M',
    since: 19,
    backports: [[16, 13], [17, 9], [18, 6]],
    source: 'PR #92035 (v1.19) and its cherry-picks #92261 (1.16), #92193 (1.17), #92256 (1.18), merged for the 2020-07-15 patch releases 1.16.13, 1.17.9, 1.18.6',
  },
  detectLocalModeOption: {
    summary: 'the detectLocalMode option (--detect-local-mode ClusterCIDR or NodeCIDR) exists; before, kube-proxy tells pod traffic by --cluster-cidr only',
    since: 18,
    backports: [],
    source: 'PR #87748 (LocalTrafficDetector, ClusterCIDR mode) and PR #88935 (NodeCIDR, milestone v1.18), both merged for 1.18; proxier.go of 1.18-dev (search-index copy 59534007, before them) takes clusterCIDR directly',
  },
  detectLocalInterfaceModes: {
    summary: 'detectLocalMode BridgeInterface and InterfaceNamePrefix exist (pod traffic told by input interface); before, ClusterCIDR and NodeCIDR only',
    since: 24,
    backports: [],
    source: 'PR #95400 (merged end of March 2022, before the 1.24 freeze: kubernetes/test-infra PR #25743 of 2022-03-23 waits for it, kubernetes/kubernetes issue #108525 of 2022-03-04 says it "is adding" them)',
  },
  servicePortNameWithoutColon: {
    summary: 'an unnamed port\'s ServicePortName is `ns/name` (in comments and chain-name hashes); before, `ns/name:` with the colon',
    since: 19,
    backports: [],
    source: 'ServicePortName.String() in pkg/proxy/types.go (kube-proxy-versions.md 1.19 row: submariner PR #1092 citing the upstream commit); `ns/name:` in the seed-B dump of a 1.12–1.16 cluster',
  },
  probabilityTenDigits: {
    summary: 'the --probability text has ten decimals (Go %0.10f: 0.3333333333); before, five (%0.5f: 0.33333)',
    since: 17,
    backports: [],
    source: 'PR #83599 (merged 2019-10-08, in 1.17); %0.10f in every proxier.go read for 1.19-1.24 (tnqn/kubernetes@8d903e31, copies 1288553135 and 383318076)',
  },
  serviceCommentHelperFixed: {
    summary: 'KUBE-SVC dispatch, session-affinity and KUBE-SEP rules carry the `-m comment --comment P` of appendServiceCommentLocked unless there are more than 1000 endpoint chains; before, the helper\'s result was discarded and they had no comment',
    since: 17,
    backports: [],
    source: 'PR #81886 (kube-proxy-versions.md errata 1); args = proxier.appendServiceCommentLocked(args, ...) in tnqn/kubernetes@8d903e31 (1.21-dev) and later',
  },
  healthCheckNodePortFilterRules: {
    summary: 'the filter chain KUBE-NODEPORTS exists, with an ACCEPT rule "P health check node port" per health-check node port and the jump "kubernetes health check service ports" from INPUT; before, three filter chains',
    since: 21,
    backports: [],
    source: 'PR #97824 (kube-proxy-versions.md errata 1: in 1.21); present in tnqn/kubernetes@8d903e31 (1.21-dev). The 1.19/1.20 side is the errata\'s, not re-read from a 1.19/1.20 proxier.go here',
  },
  singleForwardConntrackRule: {
    summary: 'KUBE-FORWARD has one "kubernetes forwarding conntrack rule" (RELATED,ESTABLISHED); before, two CIDR-less rules "kubernetes forwarding conntrack pod source rule" and "... pod destination rule"',
    since: 23,
    backports: [],
    source: 'PR #97279 ("Remove redundant forwarding rule in filter table", opened 2020-12-14, approved 2021-11-10, so in 1.23); one rule in copy 1288553135 (1.23-era) and the wedaly/kubernetes@285ae165 dumps; two rules in a real 1.21/1.22-era node dump with the health-check rules (search index id 20281606680). tnqn/kubernetes@8d903e31 is that PR\'s own branch on 1.21-dev, so its one rule is not 1.21\'s',
  },
  bareServiceAddresses: {
    summary: 'cluster, external and load-balancer IPs (-d) and endpoint IPs (KUBE-SEP -s) are written bare; before, with /32 (/128) (utilproxy.ToCIDR)',
    since: 23,
    backports: [],
    source: 'ToCIDR in tnqn/kubernetes@8d903e31 (1.21-dev), ClusterIP().String() in copy 1288553135 (1.23-era); 1.22 per kube-proxy-versions.md errata 3 (1.22.8 logs still show /32)',
  },
  plainLocalDispatchComments: {
    summary: 'KUBE-XLB dispatch and affinity rules are written by writeServiceToEndpointRules: comment P through appendServiceCommentLocked; before, "Balancing rule N for P" and an always-present P on the affinity rules',
    since: 23,
    backports: [],
    source: 'PR #106269 (merged 2021-11-10, in 1.23); "Balancing rule %d for %s" in tnqn/kubernetes@8d903e31 (1.21-dev), writeServiceToEndpointRules for the XLB chain in copy 1288553135 (1.23-era)',
  },
  localhostNodePortsOption: {
    summary: 'the localhostNodePorts option (--iptables-localhost-nodeports) exists; the KUBE-SERVICES jump to KUBE-NODEPORTS excludes ::1 on IPv6 (`! -d ::1/128`), and a loopback address of nodePortAddresses gets no jump on IPv6 (nor on IPv4 with the option off); before, the option is an unknown setting, IPv6 has no exclusion and every address of the family gets a jump',
    since: 26,
    backports: [],
    source: 'PR #108250 (last reviewed 2022-10-31, before the 1.26 freeze; its release note names the flag); the old tail rule in a mid-2022 (1.24) proxier.go, copy #383318076 of kube-proxy-versions.md, the new one (whose comments name localhostNodePorts) in a release-1.27 proxier.go quoted in a source walk-through',
  },
  localnetFirewallRule: {
    summary: 'kube-proxy writes its own filter chain KUBE-FIREWALL with the "block incoming localnet connections" rule (IPv4 with localhost NodePorts); before, only kubelet made that chain and rule',
    since: 27,
    backports: [],
    source: 'PR #114470 (opened 2022-12-13, after the 1.26 release; "kube-proxy create its own copy of the anti-martian-packet rule"); in the 1.27/1.28-era test dumps of openshift/kubernetes@06d263eb',
  },
  firewallChainDropComment: {
    summary: 'a KUBE-FW chain ends with the target-less rule "other traffic to P will be dropped by KUBE-PROXY-FIREWALL"; before, it ends with its last allow rule',
    since: 27,
    backports: [],
    source: 'PR #114470 (the second change of that PR, same release as localnetFirewallRule)',
  },
  topologyModeAnnotation: {
    summary: 'the Service annotation service.kubernetes.io/topology-mode is read (topology-aware-hints still wins when both are set) and any value but "", "disabled" or "Disabled" asks for zone hints; before, only topology-aware-hints is read and only "Auto" or "auto" asks for them',
    since: 27,
    backports: [],
    source: 'PR #116522 (merged March 2023, in 1.27); the earlier value test in canUseTopology, pkg/proxy/topology.go at ialidzhikov/kubernetes@a0f80a4e (a pre-1.27 fork: no topology-mode in its annotation_key_constants.go; it also accepts "Always", a fork addition upstream never had)',
  },
  conntrackLiberalSkipsInvalidDrop: {
    summary: 'no INVALID-drop rule in KUBE-FORWARD when net.netfilter.nf_conntrack_tcp_be_liberal is set (--conntrack-tcp-be-liberal)',
    since: 29,
    backports: [],
    source: 'PR #120412 (merged for 1.29); 1.28 writes the rule unconditionally (pkg/proxy/iptables/proxier.go at kevinhehc/k8s-1.28@804fd5ef)',
  },
  nfacctCounters: {
    summary: 'nfacct counters: `-m nfacct --nfacct-name ct_state_invalid_dropped_pkts` in the INVALID-drop rule, and the localhost NodePort rule counting in localhost_nps_accepted_pkts (--nfacct-counters)',
    since: 31,
    backports: [],
    source: 'PRs #122812 and #125015, both in CHANGELOG-1.31.md; no nfacct in proxier.go at kevinhehc/k8s-1.28@804fd5ef nor in a 1.29 copy',
  },
  loadBalancerIPModeField: {
    summary: 'status.loadBalancer.ingress[].ipMode exists (read only with feature gate LoadBalancerIPMode)',
    since: 29,
    backports: [],
    source: 'pkg/features/kube_features.go: LoadBalancerIPMode alpha 1.29, beta (on) 1.30, GA 1.32; pkg/proxy/util IsVIPMode checks the gate',
  },
  nodePortAddressesPrimary: {
    summary: 'nodePortAddresses (--nodeport-addresses) accepts "primary"; before, kube-proxy refuses it as an invalid CIDR',
    since: 31,
    backports: [],
    source: 'PR #123105 (CHANGELOG-1.31.md)',
  },
  topologyHintsWithoutAnnotation: {
    summary: 'zone hints are used without the Service annotation service.kubernetes.io/topology-mode (or topology-aware-hints) when feature gate ServiceTrafficDistribution is on',
    since: 30,
    backports: [],
    source: 'pkg/proxy/topology.go canUseTopology: annotation required at sanposhiho/kubernetes@059ce4e8 (1.28/1.29), ignored under ServiceTrafficDistribution at danwinship/kubernetes@7dfae2cf (1.30)',
  },
  serviceAddressesCanonical: {
    summary: 'external IPs and load-balancer IPs are written in canonical form, loadBalancerSourceRanges masked (10.0.0.1/8 → 10.0.0.0/8); before, as written in the Service (source ranges trimmed)',
    since: 30,
    backports: [],
    source: 'PR #122630 (opened 2024-01-07, in 1.30); strings as written in pkg/proxy/service.go at sanposhiho/kubernetes@059ce4e8 (1.28/1.29), net.IP in pkg/proxy/serviceport.go at ashierj/superdemo@c1cf94e9',
  },
  endpointAddressesCanonical: {
    summary: 'endpoint addresses are written in canonical form (in KUBE-SEP names, -s, DNAT and comments); before, as written in the EndpointSlice. First release assumed: raw in 1.30–1.32-era code, canonical in 1.33-era code; 1.31 and 1.32 not settled',
    since: 33,
    backports: [],
    source: 'pkg/proxy/endpointslicecache.go: Addresses[0] as written at ashierj/superdemo@86435b28 (1.30-era), ParseIPSloppy(...).String() at danwinship/kubernetes@6c763fd5 (1.33-era)',
  },
  endpointSliceProxying: {
    summary: 'kube-proxy builds its endpoints from EndpointSlices (EndpointSliceCache: one endpoint per key and service port, sorted by the text `ip:port`); before, from the Endpoints object, in its subsets\' order (feature gate EndpointSliceProxying: alpha 1.18, beta and on by default 1.19, GA 1.22)',
    since: 19,
    backports: [],
    source: 'pkg/features/kube_features.go: EndpointSliceProxying {Default: true, Beta} in a 1.20-dev copy (search index id 162946724: EndpointSliceTerminatingCondition alpha, EvenPodsSpread GA "remove in 1.21"), GA and locked in release-1.23 (id 253791768); byIP.Less compares Endpoint.String() (ip:port) in pkg/proxy/endpointslicecache.go at JeremyOT/kubernetes@f13aa6f2 and khenidak/kubernetes@a71a721b',
  },
  notReadyEndpointsCached: {
    summary: 'EndpointSliceCache keeps not-ready endpoints too (with their ready/serving/terminating conditions), so they take part in de-duplication and count as endpoint chains; before, newEndpointSliceInfo keeps only endpoints whose ready condition is unset or true',
    since: 21,
    backports: [],
    source: 'PR #96371 ("kube-proxy: track serving/terminating conditions in endpoints cache", still in review 2020-12-09, after the 1.20.0 release of 2020-12-08); ready-only newEndpointSliceInfo in pkg/proxy/endpointslicecache.go at khenidak/kubernetes@a71a721b (1.20-dev: v1.IPFamily of the dual-stack rework, klog/v2) and JeremyOT/kubernetes@f13aa6f2; Ready/Serving/Terminating in the cache of 1.21 (the base of PR #101935\'s diff, May 2021)',
  },
  endpointSetKeyedByEndpoint: {
    summary: 'EndpointSliceCache keys a service port\'s endpoints by `ip:port` (Endpoint.String()); before, by IP alone (addEndpointsByIP), so endpoints of one service port that share an IP with different ports (two hostNetwork pods on one node, a named targetPort resolving to different numbers in two slices) collapse into one: the first seen unless a later one is on this node',
    since: 22,
    backports: [],
    source: 'PR #101935 ("kube-proxy: Fix EndpointSliceCache::getEndpointsMap for different endpoints with same IP", opened 2021-05-12, after the 1.21.0 release; release note none, no cherry-picks); endpointsByIP[endpointInfo.IP()] in pkg/proxy/endpointslicecache.go at khenidak/kubernetes@a71a721b and JeremyOT/kubernetes@f13aa6f2 and in that PR\'s 1.21/1.22-dev base; endpointSet[endpointInfo.String()] at thockin/kubernetes@a91130ed and later',
  },
  topologyHintsAutoValue: {
    summary: 'the topology-aware-hints annotation value "Auto" asks for zone hints as "auto" does (and "Disabled" is a known value); before, only "auto"',
    since: 22,
    backports: [[21, 1]],
    source: 'PR #100728 (approved 2021-03-31, after the 1.21 branch) and its cherry-pick #101053 to release-1.21 (opened 2021-04-13, approved 2021-04-27: 1.21.1); "auto" only in pkg/proxy/topology.go search-index id 1685480331 (1.21: ServiceTopology still read), "Auto" and "auto" in id 1263275015 (1.22/1.23: no ServiceTopology)',
  },
  dedupPrefersNonTerminating: {
    summary: 'one ip:port in several endpoints: a non-terminating copy replaces a terminating one; before, the first copy stays unless a later one is on this node',
    since: 34,
    backports: [],
    source: 'PR #135593 (upstream master, December 2025; the 1.34 release still has the first-or-local rule, as at danwinship/kubernetes@6c763fd5): kp-gen\'s newest follows master here, as kube-proxy-reference.md does',
  },
  nodeHintsField: {
    summary: 'EndpointSlice hints.forNodes exists (read only with feature gate PreferSameTrafficDistribution)',
    since: 33,
    backports: [],
    source: 'pkg/features/kube_features.go: PreferSameTrafficDistribution alpha 1.33, beta (on) 1.34, GA 1.35',
  },
} as const satisfies Record<string, FeatureSwitch>;

export type FeatureName = keyof typeof FEATURE_SWITCHES;

/** The release has the behaviour: its minor is `since` or later, or it is a backport's patch or later. */
export function hasFeature(release: Release, name: FeatureName): boolean {
  const f: FeatureSwitch = FEATURE_SWITCHES[name];
  if (atLeast(release, f.since)) return true;
  return f.backports.some(([minor, patch]) => release.major === 1 && release.minor === minor && (release.patch ?? 0) >= patch);
}

/** A kube-proxy feature gate that changes rules: first release with it, and with it on by default. */
export interface FeatureGate {
  readonly alpha: number;
  /** First release where it is on by default. */
  readonly defaultOn: number;
  /** First release where it is GA and locked on (kube-proxy refuses to turn it off; kp-gen ignores the value). */
  readonly locked: number;
  readonly source: string;
}

export const RULE_FEATURE_GATES = {
  ServiceInternalTrafficPolicy: {
    alpha: 21,
    defaultOn: 22,
    locked: 26,
    source: 'newBaseServiceInfo (pkg/proxy/service.go) reads spec.internalTrafficPolicy only with the gate (the form kpng copied from kube-proxy); beta (on) 1.22, GA 1.26 (KEP-2086)',
  },
  ProxyTerminatingEndpoints: {
    alpha: 22,
    defaultOn: 26,
    locked: 28,
    source: 'CategorizeEndpoints in pkg/proxy/topology.go at ialidzhikov/kubernetes@a0f80a4e checks it for the Cluster fallback and the Local serving-terminating scan (PRs #97238, #108691); beta (on) 1.26 (kubernetes/website PR #37914), GA 1.28',
  },
  TopologyAwareHints: { alpha: 21, defaultOn: 24, locked: 33, source: 'kube_features.go versioned spec (alpha 1.21, beta 1.23, on 1.24, GA 1.33); canUseTopology checks it' },
  LoadBalancerIPMode: { alpha: 29, defaultOn: 30, locked: 32, source: 'kube_features.go versioned spec (alpha 1.29, beta 1.30, GA 1.32)' },
  ServiceTrafficDistribution: { alpha: 30, defaultOn: 31, locked: 33, source: 'kube_features.go versioned spec (alpha 1.30, beta 1.31, GA 1.33)' },
  PreferSameTrafficDistribution: { alpha: 33, defaultOn: 34, locked: 35, source: 'kube_features.go versioned spec (alpha 1.33, beta 1.34, GA 1.35)' },
} as const satisfies Record<string, FeatureGate>;

export type RuleFeatureGate = keyof typeof RULE_FEATURE_GATES;

/**
 * The gate's value in `release`: off before it existed and on once locked (a value given then
 * is ignored, as for any gate kp-gen does not model), else the value given, else the release's
 * default.
 */
export function gateEnabled(release: Release, name: RuleFeatureGate, given: Readonly<Record<string, boolean>>): boolean {
  const g: FeatureGate = RULE_FEATURE_GATES[name];
  if (!atLeast(release, g.alpha)) return false;
  if (atLeast(release, g.locked)) return true;
  return given[name] ?? atLeast(release, g.defaultOn);
}

/** How zone hints are used (pkg/proxy/topology.go canUseTopology). */
export type TopologyHintsUse = 'always' | 'with-annotation' | 'never';

/** Everything the planner and the normaliser need to know about a release, resolved once. */
export interface ReleaseFeatures {
  /** kube-proxy reads nf_conntrack_tcp_be_liberal and then writes no INVALID-drop rule. */
  conntrackLiberalSkipsInvalidDrop: boolean;
  /** kube-proxy creates and counts in nfacct counters. */
  nfacctCounters: boolean;
  /** The ingress `ipMode` field exists in this release. */
  ipModeField: boolean;
  /** ... and kube-proxy honours it (ipMode Proxy: no VIP rules). */
  honourIPMode: boolean;
  /** When zone hints are used. */
  topologyHints: TopologyHintsUse;
  /** The `hints.forNodes` field exists in this release. */
  nodeHintsField: boolean;
  /** ... and kube-proxy reads it (PreferSameNode). */
  preferSameTrafficDistribution: boolean;
  /** External IPs and LB IPs canonical, source ranges masked; else as written. */
  serviceAddressesCanonical: boolean;
  /** Endpoint addresses canonical; else as written. */
  endpointAddressesCanonical: boolean;
  /** How copies of one ip:port (before 1.22: of one IP) are resolved. */
  endpointDedup: EndpointDedup;
  /** EndpointSliceCache keeps only ready endpoints (1.19, 1.20): the others are not endpoints at all. */
  readyEndpointsOnly: boolean;
  /** The topology-aware-hints value "Auto" counts as "auto" (1.21.1 on). */
  topologyHintsAutoValue: boolean;
  /** spec.internalTrafficPolicy is honoured (gate ServiceInternalTrafficPolicy, off-able before 1.26). */
  internalTrafficPolicy: boolean;
  /** Serving-terminating endpoints are used when no ready one is (gate ProxyTerminatingEndpoints). */
  proxyTerminatingEndpoints: boolean;
  /** The localhostNodePorts option exists, with its IPv6 and loopback exclusions in the NodePort jumps. */
  localhostNodePortsOption: boolean;
  /** kube-proxy writes KUBE-FIREWALL "block incoming localnet connections". */
  localnetFirewallRule: boolean;
  /** KUBE-FW chains end with the "will be dropped by KUBE-PROXY-FIREWALL" comment rule. */
  firewallChainDropComment: boolean;
  /** topology-mode is read and any enabling value counts; else topology-aware-hints "Auto"/"auto" only. */
  topologyModeAnnotation: boolean;
  /** spec.internalTrafficPolicy exists in this release (read or not, by the gate). */
  internalTrafficPolicyField: boolean;
  /** `--probability` with 10 decimals; else 5. */
  probabilityTenDigits: boolean;
  /** The endpoint-rule comment helper works (comments dropped only in large-cluster mode); else never a comment. */
  serviceCommentHelperFixed: boolean;
  /** Filter KUBE-NODEPORTS with the health-check node port rules. */
  healthCheckNodePortFilterRules: boolean;
  /** KUBE-FORWARD's one "conntrack rule"; else the two "conntrack pod source/destination" rules. */
  singleForwardConntrackRule: boolean;
  /** Bare IPs in -d/-s; else /32 (/128). */
  bareServiceAddresses: boolean;
  /** KUBE-XLB dispatch comments are plain P (through the comment helper); else "Balancing rule N for P". */
  plainLocalDispatchComments: boolean;
  /** Comments on KUBE-SVC → KUBE-SEP, --rcheck and KUBE-SEP rules: always, never (1.12–1.16), or up to 1000 endpoint chains. */
  endpointComments: 'always' | 'never' | 'below-threshold';
  /** KUBE-FORWARD's INVALID-drop rule (before conntrackTCPLiberal is looked at). */
  forwardInvalidDrop: boolean;
  /** KUBE-XLB's two LOCAL-traffic rules, and where they stand against the "Redirect pods…" rule. */
  xlbLocalTraffic: 'none' | 'before-redirect' | 'after-redirect';
  /** MASQUERADE gets --random-fully when the node's iptables has it. */
  masqueradeRandomFully: boolean;
  /** The KUBE-FORWARD conntrack rules match any address (no cluster CIDR). */
  forwardConntrackAnySource: boolean;
  /** Three-rule KUBE-POSTROUTING and --or-mark; else one rule and --set-xmark M/M. */
  unmarkBeforeMasquerade: boolean;
  /** An unnamed port's ServicePortName keeps its colon: `ns/name:`. */
  unnamedPortColon: boolean;
  /** EndpointSlice zone hints and their Service annotation exist (from 1.21, when the gate came). */
  zoneHintsField: boolean;
  /** spec.topologyKeys exists (ServiceTopology alpha, 1.17 … 1.21; kp-gen models its gate off). */
  topologyKeysField: boolean;
}

/**
 * Which copy of an endpoint (the same ip:port in several slices, or twice in one) is used:
 * the first unless a later one is on this node, or the last non-terminating one; before 1.22
 * (`ip-first-or-local`) the key is the IP alone, so endpoints of a service port sharing an IP
 * with different ports collapse into one, chosen the first-or-local way.
 */
export type EndpointDedup = 'ip-first-or-local' | 'first-or-local' | 'prefer-non-terminating';

export function releaseFeatures(release: Release, gates: Readonly<Record<string, boolean>>): ReleaseFeatures {
  const trafficDistribution = hasFeature(release, 'topologyHintsWithoutAnnotation') && gateEnabled(release, 'ServiceTrafficDistribution', gates);
  // canUseTopology: either gate turns hints on; ServiceTrafficDistribution also drops the annotation check.
  const topologyHints: TopologyHintsUse = trafficDistribution ? 'always' : gateEnabled(release, 'TopologyAwareHints', gates) ? 'with-annotation' : 'never';
  return {
    conntrackLiberalSkipsInvalidDrop: hasFeature(release, 'conntrackLiberalSkipsInvalidDrop'),
    nfacctCounters: hasFeature(release, 'nfacctCounters'),
    ipModeField: hasFeature(release, 'loadBalancerIPModeField'),
    honourIPMode: hasFeature(release, 'loadBalancerIPModeField') && gateEnabled(release, 'LoadBalancerIPMode', gates),
    topologyHints,
    nodeHintsField: hasFeature(release, 'nodeHintsField'),
    preferSameTrafficDistribution: hasFeature(release, 'nodeHintsField') && gateEnabled(release, 'PreferSameTrafficDistribution', gates),
    serviceAddressesCanonical: hasFeature(release, 'serviceAddressesCanonical'),
    endpointAddressesCanonical: hasFeature(release, 'endpointAddressesCanonical'),
    endpointDedup: endpointDedup(release),
    readyEndpointsOnly: hasFeature(release, 'endpointSliceProxying') && !hasFeature(release, 'notReadyEndpointsCached'),
    topologyHintsAutoValue: hasFeature(release, 'topologyHintsAutoValue'),
    internalTrafficPolicy: gateEnabled(release, 'ServiceInternalTrafficPolicy', gates),
    proxyTerminatingEndpoints: gateEnabled(release, 'ProxyTerminatingEndpoints', gates),
    localhostNodePortsOption: hasFeature(release, 'localhostNodePortsOption'),
    localnetFirewallRule: hasFeature(release, 'localnetFirewallRule'),
    firewallChainDropComment: hasFeature(release, 'firewallChainDropComment'),
    topologyModeAnnotation: hasFeature(release, 'topologyModeAnnotation'),
    internalTrafficPolicyField: atLeast(release, RULE_FEATURE_GATES.ServiceInternalTrafficPolicy.alpha),
    probabilityTenDigits: hasFeature(release, 'probabilityTenDigits'),
    serviceCommentHelperFixed: hasFeature(release, 'serviceCommentHelperFixed'),
    healthCheckNodePortFilterRules: hasFeature(release, 'healthCheckNodePortFilterRules'),
    singleForwardConntrackRule: hasFeature(release, 'singleForwardConntrackRule'),
    bareServiceAddresses: hasFeature(release, 'bareServiceAddresses'),
    plainLocalDispatchComments: hasFeature(release, 'plainLocalDispatchComments'),
    endpointComments: hasFeature(release, 'serviceCommentHelperFixed') ? 'below-threshold' : hasFeature(release, 'endpointCommentsDropped') ? 'never' : 'always',
    forwardInvalidDrop: hasFeature(release, 'forwardInvalidDrop'),
    xlbLocalTraffic: hasFeature(release, 'xlbLocalTrafficAfterRedirect') ? 'after-redirect' : hasFeature(release, 'xlbLocalTrafficRules') ? 'before-redirect' : 'none',
    masqueradeRandomFully: hasFeature(release, 'masqueradeRandomFully'),
    forwardConntrackAnySource: hasFeature(release, 'forwardConntrackAnySource'),
    unmarkBeforeMasquerade: hasFeature(release, 'unmarkBeforeMasquerade'),
    unnamedPortColon: !hasFeature(release, 'servicePortNameWithoutColon'),
    zoneHintsField: atLeast(release, RULE_FEATURE_GATES.TopologyAwareHints.alpha),
    // KEP-536: alpha from 1.17 (FilterTopologyEndpoint in the 1.18-dev proxier.go, search-index copy 59534007),
    // still read in 1.21's pkg/proxy/topology.go (id 1685480331), gone from 1.22's (id 1263275015).
    topologyKeysField: atLeast(release, 17) && !atLeast(release, 22),
  };
}

/**
 * Releases before 1.19 read the Endpoints object, which the endpoints controller had already
 * de-duplicated; EndpointSliceCache keyed by IP until 1.22, by ip:port after.
 */
function endpointDedup(release: Release): EndpointDedup {
  if (hasFeature(release, 'dedupPrefersNonTerminating')) return 'prefer-non-terminating';
  if (hasFeature(release, 'endpointSliceProxying') && !hasFeature(release, 'endpointSetKeyedByEndpoint')) return 'ip-first-or-local';
  return 'first-or-local';
}
