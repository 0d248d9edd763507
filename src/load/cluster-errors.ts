/**
 * Turning whatever a request to the API server threw into one ClusterError (exit 3) that says
 * which server, which request (verb and resource, as RBAC names them), and what the server or
 * the network said. Only the message matters to the user; client-node's ApiException text
 * (with headers dumped as JSON) is never shown.
 */
import { AbortError, ApiException, FetchError } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { isRecord } from '../util.js';

/** One API request, named as RBAC and kubectl name it. */
export interface ClusterRequest {
  verb: 'get' | 'list';
  /** Plural resource name: `services`, `endpointslices`, `nodes`. */
  resource: string;
  /** API group, empty/undefined for the core group. */
  group?: string;
  namespace?: string;
  /** For `get`. */
  name?: string;
}

export interface FailureContext {
  request: ClusterRequest;
  server: string;
  /** Where the kubeconfig came from. */
  origin: string;
  /** HTTP status, 0 when no response arrived. */
  status: number;
  /** The response body, when there was one. */
  body: string;
  timeoutMs: number;
  /** The exec credential plugin of the current user, if any (for auth failures before any request). */
  execCommand?: string;
}

/** `list endpointslices.discovery.k8s.io in all namespaces`, `get nodes node-1`. */
export function describeRequest(req: ClusterRequest): string {
  const res = req.group ? `${req.resource}.${req.group}` : req.resource;
  let s = `${req.verb} ${res}`;
  if (req.name !== undefined) s += ` ${req.name}`;
  if (req.namespace !== undefined) s += ` in namespace ${req.namespace}`;
  else if (req.verb === 'list') s += ' in all namespaces';
  return s;
}

/** How much of a server's message an error quotes. */
const MAX_QUOTED = 500;

/**
 * The `message` of a metav1.Status body, or the body itself (an HTML error page from a proxy),
 * on one line and at most MAX_QUOTED characters.
 */
export function serverMessage(body: string): string {
  let text = body;
  try {
    const s: unknown = JSON.parse(body);
    if (isRecord(s) && typeof s.message === 'string' && s.message !== '') text = s.message;
  } catch {
    // not JSON
  }
  text = text.trim().replace(/\s*\n\s*/g, ' ');
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}… (${text.length - MAX_QUOTED} more characters)` : text;
}

/** A 410 whose Status says the continue token (or resource version) expired. */
export function isGone(body: string): boolean {
  try {
    const s: unknown = JSON.parse(body);
    return isRecord(s) && (s.reason === 'Expired' || s.reason === 'Gone' || s.code === 410);
  } catch {
    return false;
  }
}

export function describeClusterFailure(e: unknown, ctx: FailureContext): Error {
  const what = describeRequest(ctx.request);
  const at = `${ctx.server}: ${what}`;
  if (e instanceof ApiException || ctx.status >= 300) {
    const status = e instanceof ApiException ? (e.code as number) : ctx.status;
    const msg = serverMessage(ctx.body);
    switch (status) {
      case 401:
        return new ClusterError(
          `${at}: 401 Unauthorized${msg && msg !== 'Unauthorized' ? `: ${msg}` : ''}`,
          `the server did not accept the credentials of ${ctx.origin} (token, client certificate or exec plugin)`,
        );
      case 403:
        return new ClusterError(
          `${at}: 403 Forbidden: ${msg || 'access denied'}`,
          'kp-gen needs "list" on services and endpointslices.discovery.k8s.io (and "get" on nodes for --node)',
        );
      case 404:
        return new ClusterError(`${at}: 404 Not Found: ${msg || 'not found'}`);
      default:
        return new ClusterError(`${at}: HTTP ${status}${msg ? `: ${msg}` : ''}`);
    }
  }
  if (e instanceof AbortError || (e instanceof Error && e.name === 'AbortError')) {
    return new ClusterError(
      `${at}: no answer within ${ctx.timeoutMs / 1000} s`,
      'is the server reachable? a longer --request-timeout may help on a slow link',
    );
  }
  if (e instanceof FetchError) {
    const code = e.code ?? '';
    const reason = e.message.replace(/^request to \S+ failed, reason: /, '');
    if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(reason)) {
      return new ClusterError(
        `${at}: TLS failure: ${reason}`,
        `check the cluster's certificate-authority in ${ctx.origin} (and the client certificate, if any)`,
      );
    }
    return new ClusterError(`${at}: cannot connect: ${reason}`, `is ${ctx.server} the right server, and is it running?`);
  }
  if (e instanceof ClusterError) return e;
  if (e instanceof Error && !(e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError)) {
    const msg = e.message.trim() || String((e as NodeJS.ErrnoException).code ?? e.name);
    if (ctx.execCommand !== undefined) {
      return new ClusterError(`${at}: exec credential plugin ${JSON.stringify(ctx.execCommand)} failed: ${msg}`);
    }
    return new ClusterError(`${at}: ${msg}`);
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** Node's error codes for certificate verification failures. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ECONNRESET_TLS',
]);
