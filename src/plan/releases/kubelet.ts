/**
 * The chains kubelet owned on a node of an older release, which kube-proxy's rules relied on:
 * nat KUBE-MARK-DROP (the target of KUBE-FW chains and "has no local endpoints" rules up to
 * 1.24) and filter KUBE-FIREWALL, which drops what KUBE-MARK-DROP marked and, from the
 * CVE-2020-8558 fix on, martian packets to 127.0.0.0/8 (kubelet's syncNetworkUtil,
 * pkg/kubelet/kubelet_network_linux.go).
 *
 * With `--include-jumps`, the releases up to KUBELET_CHAINS_UNTIL get these chains and
 * kubelet's INPUT/OUTPUT jumps too, in both output formats: their rules jump to KUBE-MARK-DROP,
 * so the file loads and drops what it should only with them (README "Older kube-proxy
 * releases"). 1.25 and 1.26 nodes had them as well, but kube-proxy no longer jumped to them;
 * kp-gen leaves them out there, as it did before these eras existed. Kubelet's copies of
 * KUBE-POSTROUTING and KUBE-MARK-MASQ are kube-proxy's rules exactly and add nothing.
 *
 * Data for every release the eras model: an older era extends the table, not the writer.
 */
import type { Release } from './release.js';
import { atLeast } from './release.js';
import { hasFeature } from './features.js';
import { KUBE_FIREWALL } from '../chain-names.js';
import { KUBE_MARK_DROP } from '../jumps.js';
import { header, jump, match, notOption, option, rule } from '../../iptables/rule.js';
import type { TableBuilder } from '../ruleset.js';

/** The newest release whose --include-jumps output carries kubelet's chains. */
export const KUBELET_CHAINS_UNTIL = 24;

/** kubelet's --iptables-drop-bit default: 15, printed as kubelet's getIPTablesMark does. */
export const KUBELET_DROP_MARK = '0x00008000';

export interface KubeletFirewall {
  /** kubelet's "block incoming localnet connections" rule (IPv4): first minor, and patch backports. */
  readonly localnetSince: number;
  readonly localnetBackports: readonly (readonly [number, number])[];
  readonly source: string;
}

export const KUBELET_FIREWALL: KubeletFirewall = {
  localnetSince: 19,
  localnetBackports: [[18, 4], [17, 7], [16, 11]],
  source:
    'pkg/kubelet/kubelet_network_linux.go syncNetworkUtil (search index copies 531320554, 10971825492: KUBE-MARK-DROP "--or-mark", KUBE-FIREWALL mark drop, the localnet rule "See #90259", INPUT/OUTPUT jumps); CVE-2020-8558 fix in 1.19 and the 1.18.4, 1.17.7, 1.16.11 patches (kube-proxy-versions.md §1.1 marks the backports [I])',
};

export function kubeletChainsIncluded(release: Release): boolean {
  return !atLeast(release, KUBELET_CHAINS_UNTIL + 1);
}

function hasLocalnetRule(release: Release): boolean {
  if (atLeast(release, KUBELET_FIREWALL.localnetSince)) return true;
  return KUBELET_FIREWALL.localnetBackports.some(([minor, patch]) => release.minor === minor && (release.patch ?? 0) >= patch);
}

/**
 * kubelet's chains and its jumps into KUBE-FIREWALL, after kube-proxy's jumps (kubelet set them
 * up first; kube-proxy's later prepends went above them, as node dumps show).
 */
export function writeKubeletChains(filter: TableBuilder, nat: TableBuilder, release: Release, ipFamily: 4 | 6): void {
  const mark = KUBELET_DROP_MARK;
  if (!nat.has(KUBE_MARK_DROP)) nat.declare(KUBE_MARK_DROP);
  // PR #92035 changed kubelet's marks with kube-proxy's: `--set-xmark M/M` before it (and its
  // 1.16–1.18 backports), `--or-mark M` after.
  const setMark = hasFeature(release, 'unmarkBeforeMasquerade') ? option('--or-mark', mark) : option('--set-xmark', `${mark}/${mark}`);
  nat.append(KUBE_MARK_DROP, rule(undefined, [], jump('MARK', [setMark])));
  filter.declare(KUBE_FIREWALL);
  filter.append(KUBE_FIREWALL, rule('kubernetes firewall for dropping marked packets', [match('mark'), option('--mark', `${mark}/${mark}`)], jump('DROP')));
  if (ipFamily === 4 && hasLocalnetRule(release)) {
    filter.append(KUBE_FIREWALL, rule('block incoming localnet connections',
      [header('-d', '127.0.0.0/8'), header('-s', '127.0.0.0/8', true), match('conntrack'), notOption('--ctstate', 'RELATED,ESTABLISHED,DNAT')],
      jump('DROP')));
  }
  for (const builtin of ['INPUT', 'OUTPUT']) filter.append(builtin, rule(undefined, [], jump(KUBE_FIREWALL)));
}
