/**
 * What the page is showing, kept in this tab's sessionStorage: a bucket and the token to read it
 * with, the token alone (the overview of every bucket it reads), or a share link. A fragment
 * that carries a token (`#bucket=<id>&token=<token>`, `#token=<token>`) or a share
 * (`#share=<token>`) is taken into storage and cleared from the address bar, on load and
 * whenever the fragment changes in the same tab (hashchange). The bucket id stays visible; a
 * fragment without one opens the overview.
 */
import {
  BUCKET_STORAGE_KEY,
  fragmentWithoutToken,
  parseFragment,
  SHARE_STORAGE_KEY,
  TOKEN_STORAGE_KEY,
} from './view-model.ts';

/** `bucketId` undefined: the overview (with a token) or the form (without). */
export type Session =
  | { kind: 'bucket'; bucketId: string | undefined; token: string | undefined }
  | { kind: 'share'; share: string };

const stored = (key: string) => sessionStorage.getItem(key) ?? undefined;

function showFragment(fragment: string): void {
  if (location.hash !== fragment) {
    history.replaceState(null, '', `${location.pathname}${location.search}${fragment}`);
  }
}

/** Takes what the address bar's fragment carries, and returns what the page shows now. */
export function takeFragment(): Session {
  const fragment = parseFragment(location.hash);
  if (fragment.share !== undefined) {
    sessionStorage.setItem(SHARE_STORAGE_KEY, fragment.share);
    showFragment('');
    return { kind: 'share', share: fragment.share };
  }
  if (fragment.token !== undefined || fragment.bucketId !== undefined) {
    // A bucket link replaces a share taken before in this tab.
    sessionStorage.removeItem(SHARE_STORAGE_KEY);
  }
  if (fragment.token !== undefined) sessionStorage.setItem(TOKEN_STORAGE_KEY, fragment.token);
  if (fragment.bucketId !== undefined) {
    sessionStorage.setItem(BUCKET_STORAGE_KEY, fragment.bucketId);
  }
  const share = stored(SHARE_STORAGE_KEY);
  if (share !== undefined) {
    showFragment('');
    return { kind: 'share', share };
  }
  // No bucket in the fragment: the overview, and the last bucket is no longer the one shown.
  const bucketId = fragment.bucketId;
  if (bucketId === undefined) sessionStorage.removeItem(BUCKET_STORAGE_KEY);
  showFragment(fragmentWithoutToken(bucketId));
  return { kind: 'bucket', bucketId, token: stored(TOKEN_STORAGE_KEY) };
}

/** A token typed into the form, with a bucket (its page) or without (the overview). */
export function signIn(bucketId: string | undefined, token: string): Session {
  sessionStorage.removeItem(SHARE_STORAGE_KEY);
  sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  if (bucketId === undefined) sessionStorage.removeItem(BUCKET_STORAGE_KEY);
  else sessionStorage.setItem(BUCKET_STORAGE_KEY, bucketId);
  showFragment(fragmentWithoutToken(bucketId));
  return { kind: 'bucket', bucketId, token };
}

/**
 * Forgets what is shown: a share link (back to the bucket and token kept in this tab, if any),
 * or the token (the bucket id is kept for the form).
 */
export function forget(current: Session): Session {
  if (current.kind === 'share') sessionStorage.removeItem(SHARE_STORAGE_KEY);
  else sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  const bucketId = stored(BUCKET_STORAGE_KEY);
  showFragment(fragmentWithoutToken(bucketId));
  return { kind: 'bucket', bucketId, token: stored(TOKEN_STORAGE_KEY) };
}
