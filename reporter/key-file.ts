import { open } from 'node:fs/promises';
import { privateKeyFromSeed } from '../functions/domain/node-signature.ts';
import { UsageError } from './usage-error.ts';

/**
 * The node's key file: base64 of the raw 32-byte Ed25519 seed (what `register-node` writes),
 * surrounding space ignored. Like ssh with a private key, a key file that its group or others
 * may read, write or execute is refused: whoever else can read it can sign as the node.
 */

/** A key file that could not be read at all (exit 1, unlike a bad one: exit 2). */
export class KeyFileUnreadableError extends Error {
  override name = 'KeyFileUnreadableError';
}

export async function readPrivateKeyFile(
  path: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string> {
  let text: string;
  let mode: number;
  try {
    // One open file for the mode check and the read: no window for a swap in between.
    const handle = await open(path, 'r');
    try {
      mode = (await handle.stat()).mode;
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new KeyFileUnreadableError(`cannot read --key-file ${path} (${code})`);
  }
  // Windows has no POSIX mode bits worth checking (ACLs decide there).
  if (platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new UsageError(
      `--key-file ${path} is accessible by group or others (mode ${octal}); ` +
        `it is refused, as ssh refuses such keys: run chmod 600 ${path}`,
    );
  }
  const seed = text.trim();
  try {
    privateKeyFromSeed(seed);
  } catch {
    throw new UsageError(
      `--key-file ${path} must hold base64 of a raw 32-byte Ed25519 seed (as written by register-node)`,
    );
  }
  return seed;
}
