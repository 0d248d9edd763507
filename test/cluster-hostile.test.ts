/**
 * --from-cluster against API servers that misbehave without end: continue tokens that never
 * end, a response that never ends. Plain-http servers in-process; each case must end in a
 * bounded time with one ClusterError, not a hang or unbounded memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../src/errors.js';
import { loadKubeConfig } from '../src/load/cluster-config.js';
import { readCluster, type ClusterReadOptions } from '../src/load/cluster-read.js';
import { kubeconfigYaml } from './helpers/fake-apiserver.js';

async function withHandler(handler: (req: IncomingMessage, res: ServerResponse) => void, fn: (kubeconfig: string) => Promise<void>): Promise<void> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const kc = join(mkdtempSync(join(tmpdir(), 'kp-gen-hostile-')), 'config');
    writeFileSync(kc, kubeconfigYaml({ server: url, user: { token: 't' } }));
    await fn(kc);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

async function readError(kubeconfig: string, opts: Partial<ClusterReadOptions> = {}): Promise<string> {
  const cfg = loadKubeConfig({ kubeconfig, env: {}, serviceAccountDir: '/nonexistent' });
  try {
    await readCluster(cfg, { namespaces: [], pageSize: 500, timeoutMs: 0, ...opts });
  } catch (e) {
    if (e instanceof ClusterError) return e.message;
    throw e;
  }
  throw new Error('expected a ClusterError');
}

const list = (items: unknown[], cont: string): string => JSON.stringify({ kind: 'ServiceList', apiVersion: 'v1', metadata: { continue: cont }, items });

function json(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}

describe('an API server that never ends', () => {
  it('a continue token sent again is an error, not a loop', async () => {
    await withHandler(
      (_req, res) => json(res, list([{ metadata: { name: 'a', namespace: 'x' } }], 'same-token')),
      async (kc) => {
        expect(await readError(kc)).toMatch(/list services in all namespaces: the server sent a continue token it had sent before; the list would never end$/);
      },
    );
  });

  it('ever new tokens on empty pages end after a bounded number of pages', async () => {
    let n = 0;
    await withHandler(
      (_req, res) => json(res, list([], `token-${n++}`)),
      async (kc) => {
        expect(await readError(kc)).toMatch(/: 1000 pages with 0 objects in all; the list would never end$/);
        expect(n).toBeLessThanOrEqual(1001);
      },
    );
  });

  it('a response that never ends is cut off at the size limit', async () => {
    await withHandler(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"kind":"ServiceList","items":[');
        const chunk = Buffer.alloc(64 * 1024, ' ');
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      },
      async (kc) => {
        expect(await readError(kc, { maxResponseBytes: 4 * 1024 * 1024 })).toMatch(
          /list services in all namespaces: the response is larger than 4194304 bytes, the most kp-gen reads in one response$/,
        );
      },
    );
  });

  it('a declared length over the limit is refused before the body is read', async () => {
    await withHandler(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
        res.write('{');
      },
      async (kc) => {
        expect(await readError(kc, { maxResponseBytes: 1024 })).toMatch(/the response is larger than 1024 bytes/);
      },
    );
  });

  it('a response that never ends is also cut off by --request-timeout', async () => {
    await withHandler(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"kind":"ServiceList","items":[');
        // …and nothing more, ever.
      },
      async (kc) => {
        expect(await readError(kc, { timeoutMs: 300 })).toMatch(/no answer within 0\.3 s$/);
      },
    );
  });
});

describe('an API server that says too much', () => {
  it('quotes a huge error page on one shortened line', async () => {
    await withHandler(
      (_req, res) => {
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end(`<html>\n${'<p>proxy error</p>\n'.repeat(10000)}</html>`);
      },
      async (kc) => {
        const message = await readError(kc);
        expect(message).toMatch(/list services in all namespaces: HTTP 500: <html> <p>proxy error<\/p> .*… \(\d+ more characters\)$/);
        expect(message.length).toBeLessThan(800);
        expect(message).not.toContain('\n');
      },
    );
  });
});

describe('credentials kp-gen will not run blind', () => {
  it.each(['gcp', 'azure'])('a %s auth-provider (client-node would run its cmd-path synchronously, without a timeout) is refused as kubectl refuses it', (name) => {
    const kc = join(mkdtempSync(join(tmpdir(), 'kp-gen-authp-')), 'config');
    writeFileSync(kc, kubeconfigYaml({ server: 'https://127.0.0.1:1', user: { 'auth-provider': { name, config: { 'cmd-path': '/bin/sleep', 'cmd-args': '3600' } } } }));
    expect(() => loadKubeConfig({ kubeconfig: kc, env: {}, serviceAccountDir: '/nonexistent' })).toThrow(
      new RegExp(`user "test-user": the ${name} auth-provider was removed from kubectl in 1\\.26, and kp-gen does not run it$`),
    );
  });
});
