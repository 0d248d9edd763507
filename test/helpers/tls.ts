/**
 * A throw-away PKI for the fake API server: a CA, a server certificate for 127.0.0.1 and
 * localhost, and client certificates, made with the `openssl` binary (Node's crypto can make
 * keys but not X.509 certificates). Debian's ca-certificates depends on openssl, and .ci/run
 * installs it explicitly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface TestPKI {
  dir: string;
  ca: CertPair;
  server: CertPair;
  /** Signed by `ca`, CN=alice, O=kp-gen-readers. */
  client: CertPair;
  /** A second CA that signed nothing the server trusts. */
  otherCA: CertPair;
  /** Signed by `otherCA`: a client certificate the server must refuse. */
  strangerClient: CertPair;
  cleanup: () => void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the live-cluster tests need the openssl binary: apt-get install -y openssl');
    }
    throw e;
  }
}

function pair(dir: string, name: string): CertPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function makeCA(dir: string, name: string, cn: string): CertPair {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.crt`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return pair(dir, name);
}

function makeLeaf(dir: string, name: string, subject: string, ca: string, ext: string): CertPair {
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject,
    '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`], dir);
  return pair(dir, name);
}

export function makeTestPKI(): TestPKI {
  const dir = mkdtempSync(join(tmpdir(), 'kpgen-pki-'));
  try {
    const ca = makeCA(dir, 'ca', 'kp-gen test CA');
    const server = makeLeaf(dir, 'server', '/CN=kube-apiserver', 'ca',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    const client = makeLeaf(dir, 'client', '/O=kp-gen-readers/CN=alice', 'ca', 'extendedKeyUsage=clientAuth\n');
    const otherCA = makeCA(dir, 'other-ca', 'somebody else');
    const strangerClient = makeLeaf(dir, 'stranger', '/CN=mallory', 'other-ca', 'extendedKeyUsage=clientAuth\n');
    return { dir, ca, server, client, otherCA, strangerClient, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
