/**
 * The match words of kube-proxy's local-traffic detectors (pkg/proxy/util/localdetector.go):
 * "from a local pod" and its negation, or nothing when the detector is a no-op.
 */
import { header, type Arg } from '../iptables/rule.js';
import type { LocalTrafficDetector } from '../model/types.js';

export function ifLocal(d: LocalTrafficDetector): Arg[] {
  switch (d.kind) {
    case 'none':
      return [];
    case 'source':
      return [header('-s', d.cidr)];
    case 'interface':
      return [header('-i', d.name)];
  }
}

export function ifNotLocal(d: LocalTrafficDetector): Arg[] {
  switch (d.kind) {
    case 'none':
      return [];
    case 'source':
      return [header('-s', d.cidr, true)];
    case 'interface':
      return [header('-i', d.name, true)];
  }
}
