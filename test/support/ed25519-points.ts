// Edwards25519 arithmetic in BigInt (RFC 8032 section 5.1), slow and for tests only: it shows
// that the weak public keys refused at registration really are points of small order, and that
// they are all of them.

export const P = 2n ** 255n - 19n;
const mod = (a: bigint) => ((a % P) + P) % P;
function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}
const inv = (a: bigint) => pow(a, P - 2n);
const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

export interface Point {
  x: bigint;
  y: bigint;
}
export const IDENTITY: Point = { x: 0n, y: 1n };

/** The 32-byte encoding as (y, sign of x); y may be >= p (a non-canonical encoding). */
function split(hex: string): { y: bigint; sign: bigint } {
  const bytes = Buffer.from(hex, 'hex');
  const sign = BigInt((bytes[31] as number) >> 7);
  const le = Buffer.from(bytes);
  le[31] = (le[31] as number) & 0x7f;
  return { y: BigInt(`0x${Buffer.from(le).reverse().toString('hex')}`), sign };
}

/** RFC 8032 decoding, lenient: y is reduced mod p and x = 0 takes either sign. */
export function decode(hex: string): Point | undefined {
  const { y: raw, sign } = split(hex);
  const y = mod(raw);
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = pow(u * inv(v), (P + 3n) / 8n);
  if (mod(x * x * v) !== u) x = mod(x * SQRT_M1);
  if (mod(x * x * v) !== u) return undefined; // not on the curve
  if ((x & 1n) !== sign) x = mod(-x);
  return { x, y };
}

/** The canonical encoding (y < p, the sign bit of x). */
export function encode(point: Point): string {
  const bytes = Buffer.from(point.y.toString(16).padStart(64, '0'), 'hex').reverse();
  bytes[31] = (bytes[31] as number) | (Number(point.x & 1n) << 7);
  return bytes.toString('hex');
}

/** The complete twisted Edwards addition law (a = -1; d is not a square). */
export function add(a: Point, b: Point): Point {
  const t = mod(D * a.x * b.x * a.y * b.y);
  return {
    x: mod((a.x * b.y + a.y * b.x) * inv(1n + t)),
    y: mod((a.y * b.y + a.x * b.x) * inv(1n - t)),
  };
}

export function multiply(point: Point, n: number): Point {
  let result = IDENTITY;
  for (let i = 0; i < n; i++) result = add(result, point);
  return result;
}

export const isIdentity = (point: Point) => point.x === 0n && point.y === 1n;

/**
 * The 8 points of small order as commonly listed (libsodium's `ge25519_has_small_order`,
 * C2SP's CCTV `low_order_A` vectors), canonically encoded, hex of the 32 bytes.
 */
export const SMALL_ORDER_CANONICAL = [
  '0100000000000000000000000000000000000000000000000000000000000000', // (0, 1), order 1
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // y = 0, order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // y = 0, order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

/** Their 6 non-canonical spellings: x = 0 with the sign bit set, and y = p or p + 1. */
export const SMALL_ORDER_NON_CANONICAL = [
  '0100000000000000000000000000000000000000000000000000000000000080', // (0, 1), x "negative"
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // (0, -1), x "negative"
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p (= 0)
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p (= 0)
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1 (= 1)
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // y = p + 1 (= 1)
];
