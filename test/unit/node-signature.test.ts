import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateNodeKeyPair,
  isSmallOrderPublicKey,
  privateKeyFromSeed,
  publicKeyFromRaw,
  signNodeReport,
  verifyNodeSignature,
  WeakPublicKeyError,
} from '../../functions/domain/node-signature.ts';
import {
  decode,
  encode,
  isIdentity,
  multiply,
  SMALL_ORDER_CANONICAL,
  SMALL_ORDER_NON_CANONICAL,
} from '../support/ed25519-points.ts';

// RFC 8032 section 7.1, TEST 1 and TEST 2: seed, public key, message, signature.
const RFC_TEST_1 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  message: '',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
const RFC_TEST_2 = {
  seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  message: '72',
  signature:
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
};
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const rawPublicKey = (key: ReturnType<typeof publicKeyFromRaw>) =>
  key.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');

const NODE = 'node-7';
const BODY = '{"ip":"203.0.113.7","region":"us-east-1","version":"1.2.3","buckets":[]}';
const TS = 1_767_225_600_000;

function verifyHeaders(
  publicKey: string,
  headers: ReturnType<typeof signNodeReport>,
  body: string | Uint8Array = BODY,
) {
  return verifyNodeSignature(
    publicKeyFromRaw(publicKey),
    headers['X-Node-Id'],
    headers['X-Node-Timestamp'],
    typeof body === 'string' ? Buffer.from(body) : body,
    headers['X-Node-Signature'],
  );
}

describe('key derivation', () => {
  it.each([
    ['RFC 8032 test 1', RFC_TEST_1],
    ['RFC 8032 test 2', RFC_TEST_2],
  ])('derives the %s public key from its seed and verifies its signature', (_, vector) => {
    const privateKey = privateKeyFromSeed(b64(vector.seed));
    expect(rawPublicKey(createPublicKey(privateKey))).toBe(vector.publicKey);
    const publicKey = publicKeyFromRaw(b64(vector.publicKey));
    expect(rawPublicKey(publicKey)).toBe(vector.publicKey);
    const message = Buffer.from(vector.message, 'hex');
    expect(sign(null, message, privateKey).toString('hex')).toBe(vector.signature);
    expect(verify(null, message, publicKey, Buffer.from(vector.signature, 'hex'))).toBe(true);
  });

  it('generates base64 raw 32-byte halves of one key pair', () => {
    const { publicKey, privateKey } = generateNodeKeyPair();
    expect(Buffer.from(publicKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(privateKey, 'base64')).toHaveLength(32);
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(rawPublicKey(createPublicKey(privateKeyFromSeed(privateKey)))).toBe(
      Buffer.from(publicKey, 'base64').toString('hex'),
    );
    expect(generateNodeKeyPair().privateKey).not.toBe(privateKey);
  });

  it.each([
    ['31 bytes', Buffer.alloc(31, 1).toString('base64')],
    ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
    ['empty', ''],
    ['base64url alphabet', `${'-_'.repeat(21)}A=`],
    ['hex', RFC_TEST_1.seed],
    ['with whitespace', ` ${b64(RFC_TEST_1.seed)}`],
  ])('refuses a key that is %s', (_, key) => {
    expect(() => privateKeyFromSeed(key)).toThrow(/the private key must be base64 of exactly 32/);
    expect(() => publicKeyFromRaw(key)).toThrow(/the public key must be base64 of exactly 32/);
  });
});

describe('weak public keys: the points of small order (DESIGN.md section 12)', () => {
  it('the listed encodings are points of order 1, 2, 4 or 8, and all 8 of them', () => {
    for (const hex of [...SMALL_ORDER_CANONICAL, ...SMALL_ORDER_NON_CANONICAL]) {
      const point = decode(hex);
      expect(point, hex).toBeDefined();
      expect(isIdentity(multiply(point as NonNullable<typeof point>, 8)), hex).toBe(true);
    }
    // The torsion subgroup is cyclic of order 8: the multiples of an order-8 point are the list.
    const generator = decode(SMALL_ORDER_CANONICAL[4] as string) as NonNullable<
      ReturnType<typeof decode>
    >;
    const multiples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => encode(multiply(generator, k)));
    expect(new Set(multiples)).toEqual(new Set(SMALL_ORDER_CANONICAL));
    // The non-canonical spellings are not their points' encodings.
    for (const hex of SMALL_ORDER_NON_CANONICAL) {
      expect(SMALL_ORDER_CANONICAL).toContain(
        encode(decode(hex) as NonNullable<ReturnType<typeof decode>>),
      );
      expect(SMALL_ORDER_CANONICAL).not.toContain(hex);
    }
  });

  it.each([...SMALL_ORDER_CANONICAL, ...SMALL_ORDER_NON_CANONICAL])(
    'refuses the public key %s',
    (hex) => {
      expect(isSmallOrderPublicKey(Buffer.from(hex, 'hex'))).toBe(true);
      expect(() => publicKeyFromRaw(b64(hex))).toThrow(WeakPublicKeyError);
      expect(() => publicKeyFromRaw(b64(hex))).toThrow(/small order/);
    },
  );

  it('accepts real keys, the base point and keys one bit away from a weak one', () => {
    const generated = generateNodeKeyPair().publicKey;
    expect(() => publicKeyFromRaw(generated)).not.toThrow();
    expect(isSmallOrderPublicKey(Buffer.from(RFC_TEST_1.publicKey, 'hex'))).toBe(false);
    const base = '5866666666666666666666666666666666666666666666666666666666666666';
    expect(isIdentity(multiply(decode(base) as NonNullable<ReturnType<typeof decode>>, 8))).toBe(
      false,
    );
    expect(isSmallOrderPublicKey(Buffer.from(base, 'hex'))).toBe(false);
    const near = Buffer.from(SMALL_ORDER_CANONICAL[4] as string, 'hex');
    near[0] = (near[0] as number) ^ 1;
    expect(isSmallOrderPublicKey(near)).toBe(false);
    expect(isSmallOrderPublicKey(Buffer.alloc(31))).toBe(false);
  });
});

describe('signNodeReport / verifyNodeSignature', () => {
  const { publicKey, privateKey } = generateNodeKeyPair();

  it('round-trips, and produces the three headers', () => {
    const headers = signNodeReport(NODE, privateKey, BODY, TS);
    expect(Object.keys(headers)).toStrictEqual([
      'X-Node-Id',
      'X-Node-Timestamp',
      'X-Node-Signature',
    ]);
    expect(headers['X-Node-Id']).toBe(NODE);
    expect(headers['X-Node-Timestamp']).toBe(String(TS));
    expect(headers['X-Node-Signature']).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyHeaders(publicKey, headers)).toBe(true);
  });

  it('signs exactly the UTF-8 bytes of "<nodeId>.<timestamp>.<raw body>" (the wire contract)', () => {
    const body = '{"region":"é"}';
    const headers = signNodeReport(NODE, privateKey, body, TS);
    const expected = sign(
      null,
      Buffer.from(`${NODE}.${TS}.${body}`, 'utf8'),
      privateKeyFromSeed(privateKey),
    );
    // Ed25519 is deterministic: an independent signer over the same bytes gives the same value.
    expect(headers['X-Node-Signature']).toBe(expected.toString('base64url'));
  });

  it('signs a string body and its UTF-8 bytes identically; a KeyObject key works too', () => {
    const fromString = signNodeReport(NODE, privateKey, BODY, TS);
    const fromBytes = signNodeReport(NODE, privateKeyFromSeed(privateKey), Buffer.from(BODY), TS);
    expect(fromBytes).toStrictEqual(fromString);
  });

  it('defaults the timestamp to now', () => {
    const before = Date.now();
    const headers = signNodeReport(NODE, privateKey, BODY);
    const ts = Number(headers['X-Node-Timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
  });

  it('verifies an empty body', () => {
    expect(verifyHeaders(publicKey, signNodeReport(NODE, privateKey, '', TS), '')).toBe(true);
  });

  it.each([
    ['another node id', { 'X-Node-Id': 'node-8' }],
    ['another timestamp', { 'X-Node-Timestamp': String(TS + 1) }],
    ['the timestamp with a leading zero', { 'X-Node-Timestamp': `0${TS}` }],
  ])('does not verify for %s', (_, change) => {
    const headers = { ...signNodeReport(NODE, privateKey, BODY, TS), ...change };
    expect(verifyHeaders(publicKey, headers)).toBe(false);
  });

  it('does not verify a changed body, a re-serialized body or a body with a trailing newline', () => {
    const headers = signNodeReport(NODE, privateKey, BODY, TS);
    expect(verifyHeaders(publicKey, headers, BODY.replace('us-east-1', 'us-east-2'))).toBe(false);
    expect(verifyHeaders(publicKey, headers, JSON.stringify(JSON.parse(BODY), null, 1))).toBe(
      false,
    );
    expect(verifyHeaders(publicKey, headers, `${BODY}\n`)).toBe(false);
  });

  it('does not verify with another key', () => {
    const headers = signNodeReport(NODE, privateKey, BODY, TS);
    expect(verifyHeaders(generateNodeKeyPair().publicKey, headers)).toBe(false);
  });

  const good = () => signNodeReport(NODE, privateKey, BODY, TS)['X-Node-Signature'];
  /** Whether `signature` verifies for NODE's BODY at TS under the node's key. */
  const verifiesBody = (signature: string) =>
    verifyNodeSignature(
      publicKeyFromRaw(publicKey),
      NODE,
      String(TS),
      Buffer.from(BODY),
      signature,
    );
  it.each([
    ['empty', () => ''],
    ['standard base64 with padding', () => Buffer.from(good(), 'base64url').toString('base64')],
    ['base64url with padding', () => `${good()}==`],
    ['one character short', () => good().slice(0, -1)],
    ['one character long', () => `${good()}A`],
    ['surrounded by spaces', () => ` ${good()} `],
    ['63 bytes', () => Buffer.alloc(63, 7).toString('base64url')],
    ['65 bytes', () => Buffer.alloc(65, 7).toString('base64url')],
    ['all zeros', () => Buffer.alloc(64).toString('base64url')],
    ['a JWT', () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl'],
    [
      'another message signed by the same key',
      () => signNodeReport(NODE, privateKey, '{}', TS)['X-Node-Signature'],
    ],
  ])('rejects a signature that is %s', (_, signature) => {
    expect(verifiesBody(signature())).toBe(false);
  });

  it('rejects a signature with a flipped bit anywhere', () => {
    const signature = Buffer.from(good(), 'base64url');
    for (const byte of [0, 17, 31, 32, 50, 63]) {
      const flipped = Buffer.from(signature);
      flipped[byte] = (flipped[byte] as number) ^ 0x01;
      expect(verifiesBody(flipped.toString('base64url'))).toBe(false);
    }
  });
});

describe('canonical signature encoding', () => {
  it('accepts only the canonical base64url spelling of a signature', async () => {
    const { generateNodeKeyPair, publicKeyFromRaw, signNodeReport, verifyNodeSignature } =
      await import('../../functions/domain/node-signature.ts');
    const keys = generateNodeKeyPair();
    const body = Buffer.from('{"x":1}');
    const headers = signNodeReport('n1', keys.privateKey, body, 1000);
    const signature = headers['X-Node-Signature'];
    const publicKey = publicKeyFromRaw(keys.publicKey);
    expect(verifyNodeSignature(publicKey, 'n1', '1000', body, signature)).toBe(true);
    // The 86th character carries 4 unused bits: flipping one gives the same bytes, another spelling.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1) as string);
    const variant = signature.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(
      true,
    );
    expect(verifyNodeSignature(publicKey, 'n1', '1000', body, variant)).toBe(false);
  });
});
