/**
 * Share links (DESIGN.md section 17), pure: the token's form and hash, the body of a new share,
 * and the one refusal every public route gives for a token it cannot use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { firstIssue, type Issue } from '../wire/check.ts';
import { MAX_SHARE_LABEL_LENGTH, NewShare, SHARE_TOKEN_PATTERN } from '../wire/shares.ts';
import { NotFound } from './errors.ts';
import { textProblem } from './ids.ts';
import type { BucketReadGrant, DecideBucketRead } from './ports/bucket-reads.ts';

export const SHARE_TOKEN_PREFIX = 'bss_';
const SHARE_TOKEN_BYTES = 32;

/** `bss_` + base64url (no padding) of 32 random bytes: 256 bits nobody can guess. */
export const generateShareToken = (): string =>
  `${SHARE_TOKEN_PREFIX}${randomBytes(SHARE_TOKEN_BYTES).toString('base64url')}`;

export const newShareId = (): string => `shr_${randomBytes(16).toString('hex')}`;

/** Exactly the form generateShareToken writes; anything else is no token. */
export const isShareToken = (value: unknown): value is string =>
  typeof value === 'string' && SHARE_TOKEN_PATTERN.test(value);

/**
 * What is stored of a token, and the key its lookup row is found by: base64url SHA-256 of the
 * token. The token itself is never stored, so the table (or a backup of it) opens no share.
 */
export const shareTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('base64url');

/**
 * The one answer for a token that is malformed, unknown or revoked (and for a share whose
 * bucket is gone): the same status and the same bytes, so a response tells nothing about which.
 */
export const SHARE_NOT_FOUND_MESSAGE = 'Share not found';
export const shareNotFound = () => new NotFound(SHARE_NOT_FOUND_MESSAGE);

export interface NewShareInput {
  label: string | undefined;
  showIps: boolean;
}

/** Reported by the text rule after the shape check: lengths count code points. */
const checkedLater = (issue: Issue) =>
  issue.path[0] === 'label' && issue.error.type === 'StringMaxLength';

function newShareMessage(issue: Issue): string {
  const [field] = issue.path;
  if (field === undefined) return 'body must be a JSON object { "label"?, "showIps"? }';
  if (issue.kind === 'unknown') return `unknown field: ${field}`;
  if (field === 'showIps') return 'showIps must be true or false';
  return 'label must be a string';
}

/** Body of POST /bucket/{bucketId}/shares (wire/shares.ts); throws a message naming the field. */
export function parseNewShare(value: unknown): NewShareInput {
  // An absent body is `{}`; a null label is no label.
  const raw = value === undefined ? {} : value;
  const body =
    typeof raw === 'object' && raw !== null && 'label' in raw && raw.label === null
      ? { ...raw, label: undefined }
      : raw;
  const issue = firstIssue(NewShare, body, { ignore: checkedLater });
  if (issue !== undefined) throw new Error(newShareMessage(issue));
  const { label, showIps } = body as NewShare;
  if (label !== undefined) {
    const problem = textProblem(label, 'label', 0, MAX_SHARE_LABEL_LENGTH);
    if (problem !== undefined) throw new Error(problem);
  }
  return {
    label: label !== undefined && label !== '' ? label : undefined,
    showIps: showIps ?? false,
  };
}

/**
 * The access decision of a share's read: the token already named the bucket (its lookup row);
 * a bucket that is gone answers as an unknown token does.
 */
export const shareBucketRead =
  (grant: BucketReadGrant): DecideBucketRead =>
  async () =>
  (owner) => {
    if (owner === undefined) throw shareNotFound();
    return { showIps: grant.showIps };
  };
