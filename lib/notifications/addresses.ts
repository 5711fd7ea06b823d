import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';

import ipaddr from 'ipaddr.js';

import { DestinationRefusedError } from '../errors.js';

type Network = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * IPv4-compatible IPv6 addresses (::a.b.c.d, deprecated by RFC 4291) embed an IPv4 address that ipaddr.js
 * still calls "unicast"; refused so that ::127.0.0.1 cannot stand in for 127.0.0.1.
 */
const ipv4Compatible: Network = ipaddr.parseCIDR('::/96');

/**
 * Which addresses webhooks may reach: public unicast only (no loopback, private, link-local, unique-local,
 * CGNAT, multicast, unspecified, reserved or tunnelling ranges; IPv4-mapped IPv6 is judged as the IPv4
 * address it carries), plus the operator's allow-list of networks.
 */
export class AddressPolicy {
  private readonly allowed: Network[];

  constructor(allowedNetworks: readonly string[]) {
    this.allowed = allowedNetworks.map((network) => ipaddr.parseCIDR(network));
  }

  /** Why `address` may not be reached (the name of its range), or undefined when it may. */
  refusal(address: string): string | undefined {
    if (!ipaddr.isValid(address)) return 'not an IP address';
    const ip = ipaddr.process(address);
    if (this.allowed.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits))) {
      return undefined;
    }
    const range = ip.range();
    if (range !== 'unicast') return range;
    return ip.kind() === 'ipv6' && ip.match(ipv4Compatible) ? 'ipv4Compatible' : undefined;
  }

  /** Throws unless every address is allowed: a host with one private address among public ones is refused. */
  check(host: string, addresses: readonly string[]): void {
    for (const address of addresses) {
      const range = this.refusal(address);
      if (range !== undefined) throw new DestinationRefusedError(host, address, range);
    }
  }
}

/** dns.lookup with all addresses, as a promise; the signature tests replace to play a DNS server. */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

/**
 * A `lookup` for node:http that resolves, checks every address against the policy and hands the checked
 * addresses to the socket. The connection goes to an address that was checked in the same step, so a DNS
 * answer that changes between a check and the connect (DNS rebinding) cannot reach a refused address.
 */
export function checkedLookup(policy: AddressPolicy, resolver: Resolver): LookupFunction {
  return (host, options, callback) => {
    resolver(host)
      .then((resolved) => {
        policy.check(
          host,
          resolved.map((entry) => entry.address),
        );
        const family = familyNumber(options.family);
        const addresses = resolved.filter((entry) => family === 0 || entry.family === family);
        const [first] = addresses;
        if (!first) throw Object.assign(new Error(`${host} has no usable address`), { code: 'ENOTFOUND' });
        if (options.all) callback(null, addresses);
        else callback(null, first.address, first.family);
      })
      .catch((error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)), '');
      });
  };
}

function familyNumber(family: number | 'IPv4' | 'IPv6' | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}
