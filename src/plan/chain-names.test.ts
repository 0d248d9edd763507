import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32Prefix, endpointChainName, portProtoHash, servicePortChains } from './chain-names.js';

describe('chain names', () => {
  it.each([
    // kube-proxy's own test vectors (proxier_test.go) and a real cluster's.
    ['ns1/svc1:p80', 'tcp', 'XPGD46QRK7WJZT7O'],
    ['ns2/svc2:p80', 'tcp', 'GNZBNJ2PO5MGZ6GT'],
    ['ns3/svc3:p80', 'tcp', 'X27LE4BHSL4DOUIK'],
    ['ns4/svc4:p80', 'tcp', '4SW47YFZTEDKD3PK'],
    ['ns2/svc2:p8080', 'tcp', '2VJB64SDSIJUP5T6'],
    ['default/data-product:data-product', 'tcp', '45TXGSBX3LGQQRTB'],
  ])('portProtoHash(%s, %s) = %s', (name, proto, hash) => {
    expect(portProtoHash(name, proto)).toBe(hash);
  });

  it('derives all service-port chains from one hash', () => {
    expect(servicePortChains('ns2/svc2:p80', 'tcp')).toEqual({
      clusterPolicyChain: 'KUBE-SVC-GNZBNJ2PO5MGZ6GT',
      localPolicyChain: 'KUBE-SVL-GNZBNJ2PO5MGZ6GT',
      externalChain: 'KUBE-EXT-GNZBNJ2PO5MGZ6GT',
      firewallChain: 'KUBE-FW-GNZBNJ2PO5MGZ6GT',
    });
  });

  it.each([
    ['ns1/svc1:p80', 'tcp', '10.180.0.1:80', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    ['ns2/svc2:p80', 'tcp', '10.180.0.2:80', 'KUBE-SEP-RS4RBKLTHTF2IUXJ'],
    ['default/data-product:data-product', 'tcp', '172.30.76.3:50051', 'KUBE-SEP-DGXT5Z3WOYVLBGRM'],
  ])('endpointChainName(%s, %s, %s) = %s', (name, proto, ep, chain) => {
    expect(endpointChainName(name, proto, ep)).toBe(chain);
  });

  it('hashes the protocol in lower case, without separators', () => {
    expect(portProtoHash('ns1/svc1:p80', 'udp')).not.toBe(portProtoHash('ns1/svc1:p80', 'tcp'));
    expect(portProtoHash('ns1/svc1:p80', 'tcp')).toBe(portProtoHash('ns1/svc1:p', '80tcp'));
  });

  it('hashes the UTF-8 bytes of a non-ASCII name, as Go does', () => {
    const digest = createHash('sha256').update('ns/caf\u00e9:httptcp', 'utf8').digest();
    expect(portProtoHash('ns/caf\u00e9:http', 'tcp')).toBe(base32Prefix(digest, 16));
  });

  it('base32Prefix agrees with a straightforward RFC 4648 encoder', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const reference = (data: Uint8Array): string => {
      let bits = '';
      for (const b of data) bits += b.toString(2).padStart(8, '0');
      while (bits.length % 5 !== 0) bits += '0';
      let out = '';
      for (let i = 0; i < bits.length; i += 5) out += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
      return out;
    };
    for (let i = 0; i < 200; i++) {
      const digest = createHash('sha256').update(`case ${i}`).digest();
      expect(base32Prefix(digest, 16)).toBe(reference(digest).slice(0, 16));
      expect(base32Prefix(digest, 52)).toBe(reference(digest));
    }
  });
});
