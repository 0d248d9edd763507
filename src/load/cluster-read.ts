/**
 * Reading Services, EndpointSlices and a Node from the API server with @kubernetes/client-node.
 *
 * kube-proxy's informers list each resource in pages (`limit` + `continue`, client-go's
 * ListPager) before they watch; kp-gen lists the same way, so a cluster with 10 000 Services
 * is read as a series of bounded responses rather than one giant one. If a continue token
 * expires mid-list (410 Gone), the list is restarted once from the beginning, as the pager
 * would fall back to a fresh list; a second expiry is an error.
 *
 * The objects are kept as the JSON the server sent (captured by a client-node middleware),
 * not as client-node's model classes, so that they go through kp-gen's own decoder exactly
 * like manifests from files, and `--save-manifests` can write them back unchanged.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  ResponseContext,
  Observable,
  type ConfigurationOptions,
  type HttpLibrary,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node';
import fetch, { type RequestInit as FetchInit } from 'node-fetch';
import { MAX_INPUT_BYTES } from './read.js';
import { ClusterError } from '../errors.js';
import { isRecord } from '../util.js';
import { describeClusterFailure, describeRequest, isGone, serverMessage, type ClusterRequest, type FailureContext } from './cluster-errors.js';
import type { ResolvedKubeConfig } from './cluster-config.js';

export type JsonObject = Record<string, unknown>;

export interface ClusterReadOptions {
  /** Namespaces to read; empty = all namespaces. */
  namespaces: readonly string[];
  /** Read this Node object too. */
  node?: string;
  /** `limit` of each list page. */
  pageSize: number;
  /** Per-request timeout, in milliseconds (0 = none). */
  timeoutMs: number;
  /** Called after each page with the running totals. */
  onPage?: (read: ReadCounts) => void;
  /** The most one response may hold (MAX_INPUT_BYTES unless a test says less). */
  maxResponseBytes?: number;
}

export interface ReadCounts {
  services: number;
  endpointSlices: number;
}

/** What was read, as the server's JSON, each object with its `kind` and `apiVersion` set. */
export interface ClusterSnapshot {
  services: JsonObject[];
  endpointSlices: JsonObject[];
  node?: JsonObject;
}

export const DEFAULT_PAGE_SIZE = 500;

/**
 * The most objects of one resource kp-gen lists: a hundred times the Services of the largest
 * clusters Kubernetes is tested with. A server whose continue tokens never end stops here.
 */
export const MAX_LIST_ITEMS = 1_000_000;

/** One list page, as the server sent it. */
interface ListPage {
  items: JsonObject[];
  continueToken: string;
}

type CallOptions = ConfigurationOptions;

/** Per-call options adding one middleware after client-node's own (authentication). */
function withMiddleware(m: { pre: (c: RequestContext) => Promise<RequestContext>; post: (c: ResponseContext) => Promise<ResponseContext> }): CallOptions {
  // The object-style API takes client-node's Observable-shaped middleware.
  const observable: ObservableMiddleware = {
    pre: (c) => new Observable(m.pre(c)),
    post: (c) => new Observable(m.post(c)),
  };
  return { middleware: [observable], middlewareMergeStrategy: 'append' };
}

export async function readCluster(cfg: ResolvedKubeConfig, opts: ClusterReadOptions): Promise<ClusterSnapshot> {
  const core = cfg.kubeConfig.makeApiClient(CoreV1Api);
  const discovery = cfg.kubeConfig.makeApiClient(DiscoveryV1Api);
  const counts: ReadCounts = { services: 0, endpointSlices: 0 };
  const snapshot: ClusterSnapshot = { services: [], endpointSlices: [] };

  if (opts.node !== undefined) {
    const name = opts.node;
    snapshot.node = withKind(
      await fetchRaw(cfg, opts, { verb: 'get', resource: 'nodes', name }, (o) => core.readNode({ name }, o)),
      'Node',
      'v1',
    );
  }

  const scopes: (string | undefined)[] = opts.namespaces.length > 0 ? [...opts.namespaces] : [undefined];
  for (const namespace of scopes) {
    const scoped = <T extends object>(base: T, cont: string | undefined): T & { namespace?: string; _continue?: string } => ({
      ...base,
      ...(namespace === undefined ? {} : { namespace }),
      ...(cont === undefined ? {} : { _continue: cont }),
    });
    const svcReq: ClusterRequest = { verb: 'list', resource: 'services' };
    if (namespace !== undefined) svcReq.namespace = namespace;
    const services = await listAll(cfg, opts, svcReq, (limit, cont, o) =>
      namespace === undefined
        ? core.listServiceForAllNamespaces(scoped({ limit }, cont), o)
        : core.listNamespacedService({ ...scoped({ limit }, cont), namespace }, o),
      (n) => opts.onPage?.({ ...counts, services: counts.services + n }),
    );
    counts.services += services.length;
    for (const it of services) snapshot.services.push(withKind(it, 'Service', 'v1'));

    const sliceReq: ClusterRequest = { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io' };
    if (namespace !== undefined) sliceReq.namespace = namespace;
    const slices = await listAll(cfg, opts, sliceReq, (limit, cont, o) =>
      namespace === undefined
        ? discovery.listEndpointSliceForAllNamespaces(scoped({ limit }, cont), o)
        : discovery.listNamespacedEndpointSlice({ ...scoped({ limit }, cont), namespace }, o),
      (n) => opts.onPage?.({ ...counts, endpointSlices: counts.endpointSlices + n }),
    );
    counts.endpointSlices += slices.length;
    for (const it of slices) snapshot.endpointSlices.push(withKind(it, 'EndpointSlice', 'discovery.k8s.io/v1'));
  }
  return snapshot;
}

/** List every page of one resource; `progress(n)` gets the number of items read so far. */
async function listAll(
  cfg: ResolvedKubeConfig,
  opts: ClusterReadOptions,
  req: ClusterRequest,
  call: (limit: number, cont: string | undefined, o: CallOptions) => Promise<unknown>,
  progress: (n: number) => void,
): Promise<JsonObject[]> {
  let restarted = false;
  let cont: string | undefined;
  let items: JsonObject[] = [];
  const tokens = new Set<string>();
  let pages = 0;
  const endless = (why: string): ClusterError =>
    new ClusterError(`${cfg.server}: ${describeRequest(req)}: ${why}; the list would never end`, 'is this a real API server?');
  for (;;) {
    // Pages of (almost) nothing with ever new tokens: no real list reads like that.
    if (++pages > 1000 && items.length < pages) throw endless(`${pages - 1} pages with ${items.length} objects in all`);
    let page: ListPage;
    try {
      page = toPage(await fetchRaw(cfg, opts, req, (o) => call(opts.pageSize, cont, o), cont !== undefined), req, cfg);
    } catch (e) {
      if (e instanceof ExpiredContinue && !restarted) {
        // The snapshot the continue token pointed into is gone: start over, once.
        restarted = true;
        cont = undefined;
        items = [];
        tokens.clear();
        continue;
      }
      if (e instanceof ExpiredContinue) {
        throw new ClusterError(
          `${cfg.server}: ${describeRequest(req)}: the list changed while it was read in pages, even after starting over (410 Gone: ${e.message})`,
          'try again when the cluster is calmer, or narrow the read with -n NAMESPACE',
        );
      }
      throw e;
    }
    for (const it of page.items) items.push(it);
    progress(items.length);
    if (page.continueToken === '') return items;
    if (items.length > MAX_LIST_ITEMS) throw endless(`more than ${MAX_LIST_ITEMS} objects`);
    if (tokens.has(page.continueToken)) throw endless('the server sent a continue token it had sent before');
    tokens.add(page.continueToken);
    cont = page.continueToken;
  }
}

/** A 410 on a paged list: the continue token expired. */
class ExpiredContinue extends Error {}

function toPage(body: JsonObject, req: ClusterRequest, cfg: ResolvedKubeConfig): ListPage {
  const items = body.items;
  const meta = isRecord(body.metadata) ? body.metadata : {};
  if (!Array.isArray(items)) {
    throw new ClusterError(`${cfg.server}: ${describeRequest(req)}: the response is not a list (no items)`);
  }
  return {
    items: items.filter(isRecord),
    continueToken: typeof meta.continue === 'string' ? meta.continue : '',
  };
}

function withKind(obj: JsonObject, kind: string, apiVersion: string): JsonObject {
  // List items come without kind and apiVersion; the decoder needs them.
  return { apiVersion, kind, ...obj };
}

/**
 * Make one request through client-node and return the body the server sent, parsed as JSON.
 * Failures become ClusterErrors naming the request and quoting the server.
 */
async function fetchRaw(
  cfg: ResolvedKubeConfig,
  opts: ClusterReadOptions,
  req: ClusterRequest,
  call: (o: CallOptions) => Promise<unknown>,
  /** A request with a continue token: a 410 means the token expired. */
  continued = false,
): Promise<JsonObject> {
  let status = 0;
  let text = '';
  const capture = {
    pre: async (ctx: RequestContext) => {
      if (opts.timeoutMs > 0) ctx.setSignal(AbortSignal.timeout(opts.timeoutMs));
      return ctx;
    },
    post: async (ctx: ResponseContext) => {
      status = ctx.httpStatusCode;
      text = await ctx.body.text();
      const body = text;
      return new ResponseContext(ctx.httpStatusCode, ctx.headers, {
        text: async () => body,
        binary: async () => Buffer.from(body),
      });
    },
  };
  try {
    await call({ ...withMiddleware(capture), httpApi: new BoundedHttpLibrary(opts.maxResponseBytes ?? MAX_INPUT_BYTES) });
  } catch (e) {
    if (e instanceof ResponseTooLarge) {
      throw new ClusterError(`${cfg.server}: ${describeRequest(req)}: the response is larger than ${e.limit} bytes, the most kp-gen reads in one response`, 'a smaller --page-size may help');
    }
    if (continued && status === 410 && isGone(text)) throw new ExpiredContinue(serverMessage(text));
    const ctx: FailureContext = { request: req, server: cfg.server, origin: cfg.origin, status, body: text, timeoutMs: opts.timeoutMs };
    const exec: unknown = cfg.kubeConfig.getCurrentUser()?.exec;
    if (isRecord(exec) && typeof exec.command === 'string') ctx.execCommand = exec.command;
    throw describeClusterFailure(e, ctx);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClusterError(`${cfg.server}: ${describeRequest(req)}: the server's answer is not JSON`);
  }
  if (!isRecord(parsed)) throw new ClusterError(`${cfg.server}: ${describeRequest(req)}: the server's answer is not an object`);
  return parsed;
}

/** A response body over the limit. */
class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`response larger than ${limit} bytes`);
  }
}

/**
 * client-node's own HTTP library (node-fetch, the request's agent and signal), but reading the
 * body with a size limit: a response that never ends is cut off, not held whole in memory.
 * The request's timeout signal covers the body too.
 */
class BoundedHttpLibrary implements HttpLibrary {
  constructor(private readonly limit: number) {}

  send(request: RequestContext): Observable<ResponseContext> {
    return new Observable(this.fetch(request));
  }

  private async fetch(request: RequestContext): Promise<ResponseContext> {
    const signal = request.getSignal();
    const agent = request.getAgent();
    const resp = await fetch(request.getUrl(), {
      method: request.getHttpMethod().toString(),
      body: request.getBody() as string | undefined,
      headers: request.getHeaders(),
      ...(signal ? { signal: signal as unknown as NonNullable<FetchInit['signal']> } : {}),
      ...(agent ? { agent } : {}),
    });
    const headers: Record<string, string> = {};
    resp.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const declared = Number(resp.headers.get('content-length') ?? '0');
    if (declared > this.limit) {
      resp.body.resume();
      throw new ResponseTooLarge(this.limit);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of resp.body) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += b.length;
      if (total > this.limit) {
        (resp.body as unknown as { destroy: () => void }).destroy();
        throw new ResponseTooLarge(this.limit);
      }
      chunks.push(b);
    }
    const body = Buffer.concat(chunks, total);
    return new ResponseContext(resp.status, headers, { text: async () => body.toString('utf8'), binary: async () => body });
  }
}
