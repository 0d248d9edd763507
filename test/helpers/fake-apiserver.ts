/**
 * A small but faithful Kubernetes API server for the list/get calls kp-gen makes, over real
 * HTTPS on 127.0.0.1, so tests run the real @kubernetes/client-node against it:
 *   - GET /api/v1/services, /api/v1/namespaces/NS/services,
 *     /apis/discovery.k8s.io/v1/endpointslices, …/namespaces/NS/endpointslices, /api/v1/nodes/NAME;
 *   - lists sorted by namespace/name (etcd key order), `limit` + opaque `continue` tokens that
 *     carry the resource version of the first page, `metadata.resourceVersion`,
 *     `remainingItemCount`; a server may return fewer items than asked (`maxPageSize`);
 *   - a continue token older than the last compaction gets 410 Gone (reason Expired), as etcd
 *     compaction causes;
 *   - authentication by bearer token or by a client certificate signed by the test CA; 401 with
 *     a metav1.Status otherwise; 403 with the API server's RBAC message when `forbid` says so.
 * Every request is recorded for assertions.
 */
import { createServer, type Server } from 'node:https';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { TestPKI } from './tls.js';

export type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Authenticated user, or undefined. */
  user?: string;
  status: number;
  /** Items in a list response. */
  items?: number;
  bytes: number;
}

export interface FakeApiServerOptions {
  pki: TestPKI;
  /** Accepted bearer tokens → user name. */
  tokens?: Record<string, string>;
  /** Return true to deny the request with 403. */
  forbid?: (user: string, verb: string, resource: string, namespace: string | undefined) => boolean;
  /** The server returns at most this many items per page, whatever `limit` says. */
  maxPageSize?: number;
  /** Called after each list page is sent (e.g. to compact, or to change objects). */
  afterPage?: (server: FakeApiServer, req: RecordedRequest) => void;
  /** Answer this request with a failure instead. */
  fail?: (req: RecordedRequest) => { status: number; message: string; reason?: string } | undefined;
  /** Wait this long before answering anything (timeouts). */
  delayMs?: number;
  /** Plain http instead of https (like `kubectl proxy`); bearer tokens only. */
  plainHttp?: boolean;
}

interface StoredList {
  kind: string;
  apiVersion: string;
  items: JsonObject[];
}

export class FakeApiServer {
  readonly requests: RecordedRequest[] = [];
  private server: Server | HttpServer;
  private rv = 1000;
  private compactedRV = 0;
  private readonly services: JsonObject[] = [];
  private readonly slices: JsonObject[] = [];
  private readonly nodes: JsonObject[] = [];
  url = '';

  constructor(private readonly opts: FakeApiServerOptions) {
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      const answer = (): void => this.handle(req, res);
      if (opts.delayMs) setTimeout(answer, opts.delayMs);
      else answer();
    };
    this.server = opts.plainHttp
      ? createHttpServer(listener)
      : createServer({ key: opts.pki.server.key, cert: opts.pki.server.cert, ca: opts.pki.ca.cert, requestCert: true, rejectUnauthorized: false }, listener);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `${this.opts.plainHttp ? 'http' : 'https'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Store objects as the API server would (kind-sorted into lists, with metadata filled in). */
  add(objects: readonly unknown[]): void {
    for (const o of objects) {
      if (!isRecord(o)) continue;
      const { kind, apiVersion, ...rest } = o;
      const meta = { ...(isRecord(rest.metadata) ? rest.metadata : {}) };
      if (kind !== 'Node') meta.namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
      meta.resourceVersion = String(++this.rv);
      meta.uid ??= `00000000-0000-0000-0000-${String(this.rv).padStart(12, '0')}`;
      meta.creationTimestamp ??= '2025-01-01T00:00:00Z';
      const stored = { ...rest, metadata: meta };
      if (kind === 'Service' && (apiVersion === undefined || apiVersion === 'v1')) this.services.push(stored);
      else if (kind === 'EndpointSlice' && (apiVersion === undefined || apiVersion === 'discovery.k8s.io/v1')) this.slices.push(stored);
      else if (kind === 'Node') this.nodes.push(stored);
    }
  }

  /** Something changed and etcd compacted: every continue token issued so far expires. */
  compact(): void {
    this.rv++;
    this.compactedRV = this.rv;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://x');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: 0, bytes: 0 };
    this.requests.push(rec);
    const send = (status: number, body: JsonObject): void => {
      const text = JSON.stringify(body);
      rec.status = status;
      rec.bytes = Buffer.byteLength(text);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(text);
    };
    const status = (code: number, reason: string, message: string): void =>
      send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

    const user = this.authenticate(req);
    if (user === undefined) return status(401, 'Unauthorized', 'Unauthorized');
    rec.user = user;
    const injected = this.opts.fail?.(rec);
    if (injected) return status(injected.status, injected.reason ?? 'InternalError', injected.message);
    if (rec.method !== 'GET') return status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');

    const route = this.route(url.pathname);
    if (!route) return status(404, 'NotFound', 'the server could not find the requested resource');
    const { resource, group, namespace, name } = route;
    const verb = name === undefined ? 'list' : 'get';
    if (this.opts.forbid?.(user, verb, resource, namespace)) {
      const target = name === undefined ? resource : `${resource} "${name}"`;
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      return status(403, 'Forbidden', `${target} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`);
    }
    if (name !== undefined) {
      const node = this.nodes.find((n) => (n.metadata as JsonObject).name === name);
      if (!node) return status(404, 'NotFound', `nodes "${name}" not found`);
      return send(200, { kind: 'Node', apiVersion: 'v1', ...node });
    }
    const list = this.listOf(resource);
    this.sendList(list, namespace, url.searchParams, rec, send, status);
  }

  private listOf(resource: string): StoredList {
    return resource === 'services'
      ? { kind: 'ServiceList', apiVersion: 'v1', items: this.services }
      : { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', items: this.slices };
  }

  private sendList(
    list: StoredList,
    namespace: string | undefined,
    q: URLSearchParams,
    rec: RecordedRequest,
    send: (status: number, body: JsonObject) => void,
    status: (code: number, reason: string, message: string) => void,
  ): void {
    const key = (o: JsonObject): string => {
      const m = o.metadata as JsonObject;
      return `${m.namespace as string}/${m.name as string}`;
    };
    let items = list.items.filter((o) => namespace === undefined || (o.metadata as JsonObject).namespace === namespace);
    items = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    let listRV = this.rv;
    const cont = q.get('continue');
    if (cont) {
      let token: { rv: number; start: string };
      try {
        token = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { rv: number; start: string };
      } catch {
        return status(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
      }
      if (token.rv < this.compactedRV) {
        return status(410, 'Expired', 'The provided continuation parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.');
      }
      listRV = token.rv;
      items = items.filter((o) => key(o) >= token.start);
    }
    const limitText = q.get('limit');
    let limit = limitText ? Number(limitText) : 0;
    if (this.opts.maxPageSize && (limit === 0 || limit > this.opts.maxPageSize)) limit = this.opts.maxPageSize;
    const page = limit > 0 ? items.slice(0, limit) : items;
    const metadata: JsonObject = { resourceVersion: String(listRV) };
    if (page.length < items.length) {
      const next = items[page.length]!;
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRV, start: key(next) })).toString('base64');
      metadata.remainingItemCount = items.length - page.length;
    }
    rec.items = page.length;
    send(200, { kind: list.kind, apiVersion: list.apiVersion, metadata, items: page });
    this.opts.afterPage?.(this, rec);
  }

  private route(path: string): { resource: string; group: string; namespace?: string; name?: string } | undefined {
    let m: RegExpExecArray | null;
    if (path === '/api/v1/services') return { resource: 'services', group: '' };
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/services$/.exec(path))) return { resource: 'services', group: '', namespace: decodeURIComponent(m[1]!) };
    if (path === '/apis/discovery.k8s.io/v1/endpointslices') return { resource: 'endpointslices', group: 'discovery.k8s.io' };
    if ((m = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/.exec(path))) {
      return { resource: 'endpointslices', group: 'discovery.k8s.io', namespace: decodeURIComponent(m[1]!) };
    }
    if ((m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path))) return { resource: 'nodes', group: '', name: decodeURIComponent(m[1]!) };
    return undefined;
  }

  private authenticate(req: IncomingMessage): string | undefined {
    const sock = req.socket as TLSSocket;
    if (!this.opts.plainHttp && sock.authorized) {
      const cert = sock.getPeerCertificate();
      const cn = cert.subject?.CN;
      if (typeof cn === 'string' && cn !== '') return cn;
    }
    const auth = req.headers.authorization;
    const m = auth ? /^Bearer (.+)$/.exec(auth) : null;
    if (m && this.opts.tokens && Object.hasOwn(this.opts.tokens, m[1]!)) return this.opts.tokens[m[1]!];
    return undefined;
  }
}

function isRecord(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A kubeconfig file's text for one cluster and user. */
export function kubeconfigYaml(opts: {
  server: string;
  caFile?: string;
  caData?: string;
  context?: string;
  user: Record<string, unknown>;
  extraContexts?: { name: string; cluster: string; user: string }[];
}): string {
  const context = opts.context ?? 'test';
  const cluster: Record<string, unknown> = { server: opts.server };
  if (opts.caFile) cluster['certificate-authority'] = opts.caFile;
  if (opts.caData) cluster['certificate-authority-data'] = opts.caData;
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test-cluster', cluster }],
    users: [{ name: 'test-user', user: opts.user }],
    contexts: [{ name: context, context: { cluster: 'test-cluster', user: 'test-user' } }, ...(opts.extraContexts ?? []).map((c) => ({ name: c.name, context: { cluster: c.cluster, user: c.user } }))],
    'current-context': context,
  }, null, 2);
}
