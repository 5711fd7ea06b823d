import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { SecretBox, SecretKeyMissingError } from '../../../lib/notifications/secret-box.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe('SecretBox', () => {
  it('seals under the first key, so that nothing of the secret shows, and opens it again', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(SECRET, 'client-a');
    expect(sealed).toMatch(/^sealed:v1:k1:/);
    expect(sealed).not.toContain(SECRET.slice(6, 16));
    expect(box.seal(SECRET, 'client-a')).not.toBe(sealed);
    expect(box.open(sealed, 'client-a')).toBe(SECRET);
    expect(box.isCurrent(sealed)).toBe(true);
  });

  it('opens with every configured key, and says which key is missing when one is gone', () => {
    const sealedUnderK1 = new SecretBox([k1]).seal(SECRET, 'client-a');
    const rotated = new SecretBox([k2, k1]);
    expect(rotated.open(sealedUnderK1, 'client-a')).toBe(SECRET);
    expect(rotated.isCurrent(sealedUnderK1)).toBe(false);
    expect(() => new SecretBox([k2]).open(sealedUnderK1, 'client-a')).toThrow(SecretKeyMissingError);
    expect(() => new SecretBox([k2]).open(sealedUnderK1, 'client-a')).toThrow(/key "k1"/);
  });

  it('refuses a sealed secret moved to another owner or altered', () => {
    const box = new SecretBox([k1]);
    const sealed = box.seal(SECRET, 'client-a');
    expect(() => box.open(sealed, 'client-b')).toThrow();
    const [head, body = '', tag] = sealed.split('.');
    const flipped = `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`;
    expect(() => box.open([head, flipped, tag].join('.'), 'client-a')).toThrow();
    expect(() => box.open(sealed.slice(0, -2), 'client-a')).toThrow();
    expect(() => box.open('sealed:v1:k1:garbage', 'client-a')).toThrow();
  });

  it('passes a secret stored before sealing through, and does not count it as current', () => {
    const box = new SecretBox([k1]);
    expect(box.open(SECRET, 'client-a')).toBe(SECRET);
    expect(box.isCurrent(SECRET)).toBe(false);
  });
});
