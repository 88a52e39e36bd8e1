import type { ShareLookup } from '../data/shares.ts';
import { isShareToken, shareNotFound, shareTokenHash } from '../domain/shares.ts';

/** Port: the share a token's hash opens (data/shares.ts#findShare); undefined when none. */
export type FindShare = (tokenHash: string) => Promise<ShareLookup | undefined>;

/**
 * The share a public route's token opens: a token of the wrong form is refused before any
 * read; a well-formed one is looked up by its hash (one consistent GetItem). Malformed, unknown
 * and revoked tokens all get the same NotFound, so an answer tells nothing about which.
 */
export async function openShare(token: unknown, findShare: FindShare): Promise<ShareLookup> {
  if (!isShareToken(token)) throw shareNotFound();
  const share = await findShare(shareTokenHash(token));
  if (share === undefined) throw shareNotFound();
  return share;
}
