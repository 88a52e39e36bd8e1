import { describe, expect, it } from 'vitest';
import { parseNodeReport } from '../../functions/domain/node-report.ts';
import {
  generateNodeKeyPair,
  privateKeyFromSeed,
  publicKeyFromRaw,
  signNodeReport,
  verifyNodeSignature,
} from '../../functions/domain/node-signature.ts';

/** Issue 15's node-input gaps: each case below let a mutant of today's code survive. */
const body = (fields: Record<string, unknown>) =>
  new TextEncoder().encode(
    JSON.stringify({
      ip: '10.0.0.1',
      region: 'us-east-1',
      version: '1.2.3',
      buckets: [{ bucketId: 'b-1', status: 'ONLINE' }],
      ...fields,
    }),
  );

describe('parseNodeReport: ip', () => {
  it('["10.0.0.1"] is refused: Node\'s isIP would stringify the array, only the type check stops it', () => {
    expect(() => parseNodeReport(body({ ip: ['10.0.0.1'] }))).toThrow(/^ip /);
  });

  it.each(['10.0.0.1', '2001:db8::1'])('%s is accepted', (ip) => {
    expect(parseNodeReport(body({ ip })).ip).toBe(ip);
  });
});

describe('parseNodeReport: semver pre-release identifiers', () => {
  it.each(['1.0.0-123', '1.0.0-1a', '1.0.0-0', '1.0.0-a-b.1', '1.0.0-x.7.z.92', '1.0.0--'])(
    '%s is valid',
    (version) => {
      expect(parseNodeReport(body({ version })).version).toBe(version);
    },
  );

  it.each([
    '1.0.0-!a',
    '1.0.0-a.b~',
    '1.0.0-a..b',
    '1.0.0-.a',
    '1.0.0-a.',
    '1.0.0-01',
    'x1.0.0',
    '1.0.0x',
  ])('%s is invalid', (version) => {
    expect(() => parseNodeReport(body({ version }))).toThrow(/^version /);
  });

  it.each(['1.0.0+build.1', '1.0.0-rc.1+001', '1.0.0+-'])(
    '%s (build metadata) is valid',
    (version) => {
      expect(parseNodeReport(body({ version })).version).toBe(version);
    },
  );

  it.each(['1.0.0+a..b', '1.0.0+!', '1.0.0+a+b'])(
    '%s (bad build metadata) is invalid',
    (version) => {
      expect(() => parseNodeReport(body({ version }))).toThrow(/^version /);
    },
  );
});

describe('node public and private keys: base64 of exactly 32 raw bytes', () => {
  const { publicKey, privateKey } = generateNodeKeyPair();
  const SIGNED = new TextEncoder().encode('{}');

  const works = (publicKeyText: string) => {
    const headers = signNodeReport('node-1', privateKey, SIGNED, 1);
    return verifyNodeSignature(
      publicKeyFromRaw(publicKeyText),
      'node-1',
      headers['X-Node-Timestamp'],
      SIGNED,
      headers['X-Node-Signature'],
    );
  };

  it('the padded 44-character form works (control)', () => {
    expect(publicKey).toHaveLength(44);
    expect(works(publicKey)).toBe(true);
  });

  it('the unpadded 43-character form is the same key', () => {
    const unpadded = publicKey.replace(/=+$/, '');
    expect(unpadded).toHaveLength(43);
    expect(works(unpadded)).toBe(true);
    expect(privateKeyFromSeed(privateKey.replace(/=+$/, '')).asymmetricKeyType).toBe('ed25519');
  });

  it.each([
    ['junk characters after the 32 bytes', (k: string) => `${k}!!`],
    ['a space after the 32 bytes', (k: string) => `${k} `],
    ['junk before the 32 bytes', (k: string) => `!!${k}`],
    ['three padding characters', (k: string) => `${k.replace(/=+$/, '')}===`],
    ['a character after the padding', (k: string) => `${k}A`],
  ])('refuses %s', (_, mangle) => {
    // Buffer.from skips what is not base64, so these still decode to 32 bytes.
    expect(Buffer.from(mangle(publicKey), 'base64')).toHaveLength(32);
    expect(() => publicKeyFromRaw(mangle(publicKey))).toThrow(
      'the public key must be base64 of exactly 32 raw bytes',
    );
    expect(() => privateKeyFromSeed(mangle(privateKey))).toThrow(
      'the private key must be base64 of exactly 32 raw bytes',
    );
  });
});
