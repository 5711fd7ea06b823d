import type { LookupAddress } from 'node:dns';

import { describe, expect, it } from 'vitest';

import { DestinationRefusedError } from '../../../lib/errors.js';
import { AddressPolicy, checkedLookup, type Resolver } from '../../../lib/notifications/addresses.js';

const closed = new AddressPolicy([]);

describe('AddressPolicy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.251', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::7f00:1', 'ipv4Compatible'],
    ['64:ff9b::a00:1', 'rfc6052'],
  ])('refuses %s (%s)', (address, range) => {
    expect(closed.refusal(address)).toBe(range);
  });

  it.each(['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.215.14'])(
    'allows the public address %s',
    (address) => {
      expect(closed.refusal(address)).toBeUndefined();
    },
  );

  it('allows what the allow-list names, and nothing next to it', () => {
    const policy = new AddressPolicy(['127.0.0.1/32', '10.8.0.0/16', '::1/128']);
    expect(policy.refusal('127.0.0.1')).toBeUndefined();
    expect(policy.refusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.refusal('10.8.200.1')).toBeUndefined();
    expect(policy.refusal('::1')).toBeUndefined();
    expect(policy.refusal('127.0.0.2')).toBe('loopback');
    expect(policy.refusal('10.9.0.1')).toBe('private');
  });

  it('refuses a host when any of its addresses is refused', () => {
    expect(() => {
      closed.check('mixed.example', ['93.184.215.14', '10.0.0.1']);
    }).toThrow(DestinationRefusedError);
    expect(() => {
      closed.check('public.example', ['93.184.215.14', '2606:4700:4700::1111']);
    }).not.toThrow();
  });
});

function lookupOnce(
  policy: AddressPolicy,
  resolver: Resolver,
  options: { all?: boolean; family?: number },
): Promise<{ error: Error | null; address: string | LookupAddress[]; family: number | undefined }> {
  return new Promise((resolve) => {
    checkedLookup(policy, resolver)('hooks.example', options, (error, address, family) => {
      resolve({ error, address, family });
    });
  });
}

describe('checkedLookup', () => {
  const resolver: Resolver = () =>
    Promise.resolve([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);

  it('hands the socket the addresses it checked, in the form the socket asked for', async () => {
    expect(await lookupOnce(closed, resolver, { all: true })).toEqual({
      error: null,
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
      family: undefined,
    });
    expect(await lookupOnce(closed, resolver, { family: 6 })).toEqual({
      error: null,
      address: '2606:4700:4700::1111',
      family: 6,
    });
  });

  it('fails the connection when the name resolves to a refused address', async () => {
    const rebound: Resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const { error } = await lookupOnce(closed, rebound, { all: true });
    expect(error).toBeInstanceOf(DestinationRefusedError);
    expect(error?.message).toBe(
      'hooks.example resolves to 127.0.0.1, a loopback address, which webhooks may not reach',
    );
  });

  it('passes DNS errors on', async () => {
    const failing: Resolver = () =>
      Promise.reject(Object.assign(new Error('no such host'), { code: 'ENOTFOUND' }));
    const { error } = await lookupOnce(closed, failing, {});
    expect(error).toMatchObject({ message: 'no such host', code: 'ENOTFOUND' });
  });
});
