/**
 * The ranges the API server allocates from, as kube-apiserver lays them out: the addresses of a
 * `--service-cluster-ip-range` CIDR and the ports of `--service-node-port-range`, each numbered
 * 0 … size-1 and split into a lower band, left for values that users ask for, and an upper band
 * that allocation prefers (KEP-3070 for addresses, KEP-3668 for node ports). Data and
 * arithmetic only.
 */
import { formatCIDR, formatIP, type CIDR, type IP, type IPFamily } from '../model/ip.js';

/** A `--service-node-port-range`: every port from `first` to `last`, both included. */
export interface PortRange {
  first: number;
  last: number;
}

/** Values to allocate from, numbered by index 0 … size-1. */
export interface AllocationSpace {
  /** How many values there are. */
  size: bigint;
  /**
   * Indices below this are the lower band, which allocation uses only once the upper band is
   * full (0: no lower band, the range is too small to split).
   */
  lowerBand: bigint;
  /** The range as the user wrote it, for messages: `10.96.0.0/12`, `30000-32767`. */
  text: string;
}

/** One `--service-cluster-ip-range` CIDR: index i is the address `first + i`. */
export interface ServiceIPRange extends AllocationSpace {
  family: IPFamily;
  /**
   * The first address that can be allocated, as a number: the one after the network address
   * (the network address is never allocated; an IPv4 range's broadcast address neither).
   */
  first: bigint;
}

/** A `--service-node-port-range`: index i is the port `first + i`. */
export interface NodePortSpace extends AllocationSpace {
  first: number;
}

/**
 * The lower band's size: the range's size divided by `step`, but at least `min` and at most
 * `max`, and none at all for a range of `min` values or fewer. kube-apiserver uses min 16,
 * max 256, step 16 for addresses (counting every address of the CIDR) and min 16, max 128,
 * step 32 for node ports.
 */
function lowerBandSize(size: bigint, min: bigint, max: bigint, step: bigint): bigint {
  if (size <= min) return 0n;
  const band = size / step;
  return band < min ? min : band > max ? max : band;
}

/** An address as a number (its bytes, big-endian). */
export function ipToBigInt(ip: IP): bigint {
  let n = 0n;
  for (const b of ip.bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToIP(n: bigint, family: IPFamily): IP {
  const bytes = new Uint8Array(family === 4 ? 4 : 16);
  for (let i = bytes.length - 1; i >= 0; i--) {
    bytes[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return { family, bytes };
}

/**
 * How many addresses of `cidr` can be allocated: all but the network address, and for IPv4
 * the broadcast address too (the API server's IP allocator).
 */
export function allocatableAddresses(cidr: CIDR): bigint {
  const all = 1n << BigInt((cidr.ip.family === 4 ? 32 : 128) - cidr.prefix);
  const n = all - (cidr.ip.family === 4 ? 2n : 1n);
  return n > 0n ? n : 0n;
}

export function serviceIPRange(cidr: CIDR): ServiceIPRange {
  const all = 1n << BigInt((cidr.ip.family === 4 ? 32 : 128) - cidr.prefix);
  return {
    family: cidr.ip.family,
    first: ipToBigInt(cidr.ip) + 1n,
    size: allocatableAddresses(cidr),
    lowerBand: lowerBandSize(all, 16n, 256n, 16n),
    text: formatCIDR(cidr),
  };
}

export function nodePortSpace(range: PortRange): NodePortSpace {
  const size = BigInt(range.last - range.first + 1);
  return { first: range.first, size, lowerBand: lowerBandSize(size, 16n, 128n, 32n), text: `${range.first}-${range.last}` };
}

/** The address at `index`, as Go prints it. */
export function addressAt(range: ServiceIPRange, index: bigint): string {
  return formatIP(bigIntToIP(range.first + index, range.family));
}

/** The index of `ip` in the range, or undefined when it is not one of the range's addresses. */
export function addressIndex(range: ServiceIPRange, ip: IP): bigint | undefined {
  if (ip.family !== range.family) return undefined;
  const i = ipToBigInt(ip) - range.first;
  return i >= 0n && i < range.size ? i : undefined;
}

/** The index of `port` in the range, or undefined when it is outside. */
export function portIndex(space: NodePortSpace, port: number): bigint | undefined {
  const i = BigInt(port - space.first);
  return i >= 0n && i < space.size ? i : undefined;
}
