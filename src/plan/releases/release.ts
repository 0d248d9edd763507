/**
 * A kube-proxy release, as `--kube-proxy-version` names it, and the range kp-gen models.
 *
 * The newest release is called 1.34, and it is the default: what kp-gen wrote before the flag
 * existed. The reference (kube-proxy-reference.md) describes upstream's proxier after the 1.34
 * release; its rules and feature gates are 1.34's (1.35 locks PreferSameTrafficDistribution
 * on, which kp-gen's default still lets `--feature-gates` turn off). The one difference from
 * the 1.34 release is endpoint de-duplication, where the reference follows upstream master
 * (features.ts, dedupPrefersNonTerminating).
 *
 * Releases 1.25 … 1.27 share 1.28's planner: their differences are switches and gates of
 * features.ts (terminating endpoints behind ProxyTerminatingEndpoints, the topology annotation,
 * the localnet and FW-chain rules of PR #114470, the localhost NodePort option).
 *
 * Releases 1.19 … 1.24 have planners of their own, one per era (eras.ts); releases 1.10 … 1.18
 * (eras E2–E5) share one, plan/releases/e2-1.10/planner.ts, whose differences are switches of
 * features.ts. Naming a release outside 1.10 … the newest is a usage error that lists the
 * range kp-gen writes.
 */

export interface Release {
  readonly major: number;
  readonly minor: number;
  /** Only where a patch release changed the output (a backport); undefined when not given. */
  readonly patch?: number;
}

/** The oldest release issue 14 asks for. */
export const OLDEST_KNOWN_MINOR = 10;
/** The oldest release whose output kp-gen writes: every known one. */
export const OLDEST_MODELLED: Release = { major: 1, minor: OLDEST_KNOWN_MINOR };
/** The newest release kp-gen models, and the default (see above). */
export const NEWEST: Release = { major: 1, minor: 34 };

/** `1.28` (and `1.28.3` when the patch was given). */
export function formatRelease(r: Release): string {
  return r.patch === undefined ? `${r.major}.${r.minor}` : `${r.major}.${r.minor}.${r.patch}`;
}

/** Compare by minor, then patch (a missing patch is the .0 release). */
export function compareReleases(a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor || (a.patch ?? 0) - (b.patch ?? 0);
}

/** `a` is `minor` or later (the patch is not looked at). */
export function atLeast(r: Release, minor: number): boolean {
  return r.major > 1 || (r.major === 1 && r.minor >= minor);
}

/** The modelled range, for messages: `1.10 … 1.34`. */
export function modelledRange(): string {
  return `${formatRelease(OLDEST_MODELLED)} … ${formatRelease(NEWEST)}`;
}

/** Why a version cannot be used; the reader (options.ts) turns it into a usage error. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
}

/**
 * `X.Y`, `X.Y.Z`, with or without a leading `v` (as `kubectl version` and the Node's
 * `kubeProxyVersion` print it). Build metadata and pre-release suffixes are not accepted.
 */
export function parseRelease(text: string): Release {
  const m = /^v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) throw new ReleaseError(`${JSON.stringify(text)} is not a kube-proxy version (kp-gen models ${modelledRange()})`);
  const release: Release =
    m[3] === undefined ? { major: Number(m[1]), minor: Number(m[2]) } : { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
  const known = release.major === 1 && release.minor >= OLDEST_KNOWN_MINOR;
  if (!known || compareReleases({ major: release.major, minor: release.minor }, NEWEST) > 0) {
    throw new ReleaseError(`kube-proxy ${formatRelease(release)} is not supported: kp-gen models ${modelledRange()}`);
  }
  return release;
}
