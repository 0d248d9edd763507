/**
 * The API server's checks of names (k8s.io/apimachinery/pkg/util/validation), applied to every
 * name kp-gen reads from a manifest or the cluster. A name reaches rule comments and chain
 * hashes; the API server would never have stored an object whose name fails these checks, so
 * kp-gen refuses it rather than write it into a rule. Each check returns undefined when the
 * name is valid, else the reason, worded as the API server words it.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** A lower-case RFC 1123 label (namespaces; Service, Endpoints and EndpointSlice port names; hostnames). */
export function dns1123Label(s: string): string | undefined {
  if (s.length > 63) return 'must be no more than 63 characters';
  if (!DNS1123_LABEL.test(s)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** An RFC 1035 label (Service names). */
export function dns1035Label(s: string): string | undefined {
  if (s.length > 63) return 'must be no more than 63 characters';
  if (!DNS1035_LABEL.test(s)) {
    return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  }
  return undefined;
}

/** A lower-case RFC 1123 subdomain (EndpointSlice, Endpoints, Pod and workload names; node names). */
export function dns1123Subdomain(s: string): string | undefined {
  if (s.length > 253) return 'must be no more than 253 characters';
  if (!DNS1123_SUBDOMAIN.test(s)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** IANA_SVC_NAME (RFC 6335): container port names, which a Service's targetPort names. */
export function ianaServiceName(s: string): string | undefined {
  if (s.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(s)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  if (s.includes('--')) return 'must not contain consecutive hyphens';
  if (!/[a-z]/.test(s)) return 'must contain at least one letter (a-z)';
  if (s.startsWith('-') || s.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

/** A label value (the `kubernetes.io/service-name` label of a slice). */
export function labelValue(s: string): string | undefined {
  if (s.length > 63) return 'must be no more than 63 characters';
  if (!LABEL_VALUE.test(s)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/**
 * A check that remembers the names it accepted: a large input repeats a few node names on 100k
 * endpoints. Bounded, so that a hostile input of distinct names cannot grow it without end.
 */
export function memoized(check: (s: string) => string | undefined): (s: string) => string | undefined {
  const ok = new Set<string>();
  return (s) => {
    if (ok.has(s)) return undefined;
    const problem = check(s);
    if (problem === undefined && ok.size < 4096) ok.add(s);
    return problem;
  };
}
