import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * The node report signature of DESIGN.md section 3: Ed25519 over the UTF-8 bytes of
 * `<nodeId>.<timestamp>.<raw body>`, base64url-encoded. Shared by the ingestion Lambda,
 * the node reporter, the client library and the tests, so all sign exactly the same bytes.
 */
export const NODE_ID_HEADER = 'x-node-id';
export const NODE_TIMESTAMP_HEADER = 'x-node-timestamp';
export const NODE_SIGNATURE_HEADER = 'x-node-signature';

// DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8) or public key (SPKI).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const RAW_KEY_BYTES = 32;

export type NodeSignatureHeaders = {
  'X-Node-Id': string;
  'X-Node-Timestamp': string;
  'X-Node-Signature': string;
};

const decodeRawKey = (base64: string, what: string): Buffer => {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== RAW_KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new Error(`${what} must be base64 of exactly ${RAW_KEY_BYTES} raw bytes`);
  }
  return bytes;
};

/** Private key from base64 of the raw 32-byte Ed25519 seed. */
export const privateKeyFromSeed = (seedBase64: string): KeyObject =>
  createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, decodeRawKey(seedBase64, 'the private key')]),
    format: 'der',
    type: 'pkcs8',
  });

/**
 * The y coordinates (little-endian, sign bit cleared) of the Ed25519 points of small order, as
 * libsodium's `ge25519_has_small_order` lists them: the 8 points of the torsion subgroup
 * (orders 1, 2, 4 and 8) and y = p, p + 1, the non-canonical spellings of y = 0 and y = 1.
 * Compared with the sign bit (x's parity) ignored, they stand for 14 encodings: the 8 points,
 * x = 0 spelled "negative" for (0, 1) and (0, -1), and the 4 spellings of y >= p. For such a
 * key A, [k]A takes at most 8 values whatever the message, so a signature made without the
 * private key verifies for a share of all messages under verifiers that do not refuse A
 * (Node 20's OpenSSL verified 11 of 64): such a key authenticates nobody (DESIGN.md section 12).
 */
const SMALL_ORDER_Y: ReadonlySet<string> = new Set([
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
]);

/** True when the raw 32-byte public key is an encoding of a point of small order. */
export function isSmallOrderPublicKey(raw: Uint8Array): boolean {
  if (raw.length !== RAW_KEY_BYTES) return false;
  const y = Buffer.from(raw);
  y[RAW_KEY_BYTES - 1] = (y[RAW_KEY_BYTES - 1] as number) & 0x7f;
  return SMALL_ORDER_Y.has(y.toString('hex'));
}

/** A public key of small order: refused at registration, unusable when found stored. */
export class WeakPublicKeyError extends Error {
  override name = 'WeakPublicKeyError';
}

/**
 * Public key from base64 of the raw 32 bytes, as stored on the node's META row. Throws
 * WeakPublicKeyError for a point of small order, an Error for anything that is not 32 bytes.
 */
export function publicKeyFromRaw(publicKeyBase64: string): KeyObject {
  const raw = decodeRawKey(publicKeyBase64, 'the public key');
  if (isSmallOrderPublicKey(raw)) {
    throw new WeakPublicKeyError('the public key is a point of small order (a weak key)');
  }
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/** A new node key pair, both halves as base64 of the raw 32 bytes. */
export function generateNodeKeyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    publicKey: spki.subarray(SPKI_ED25519_PREFIX.length).toString('base64'),
    privateKey: pkcs8.subarray(PKCS8_ED25519_PREFIX.length).toString('base64'),
  };
}

const signedBytes = (nodeId: string, timestamp: string, body: Uint8Array | string): Buffer =>
  Buffer.concat([Buffer.from(`${nodeId}.${timestamp}.`, 'utf8'), Buffer.from(body)]);

/** Headers for a report; `privateKey` is base64 of the raw seed or a KeyObject. */
export function signNodeReport(
  nodeId: string,
  privateKey: string | KeyObject,
  body: Uint8Array | string,
  timestamp: number = Date.now(),
): NodeSignatureHeaders {
  const key = typeof privateKey === 'string' ? privateKeyFromSeed(privateKey) : privateKey;
  const ts = String(timestamp);
  const signature = sign(null, signedBytes(nodeId, ts, body), key);
  return {
    'X-Node-Id': nodeId,
    'X-Node-Timestamp': ts,
    'X-Node-Signature': signature.toString('base64url'),
  };
}

/** True when `signature` (base64url) is the node's Ed25519 signature of this exact request. */
export function verifyNodeSignature(
  publicKey: KeyObject,
  nodeId: string,
  timestamp: string,
  body: Uint8Array,
  signature: string,
): boolean {
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) return false; // 64 bytes, unpadded base64url
  const bytes = Buffer.from(signature, 'base64url');
  // One spelling per signature: the last character's unused bits must be zero.
  if (bytes.toString('base64url') !== signature) return false;
  return verify(null, signedBytes(nodeId, timestamp, body), publicKey, bytes);
}
