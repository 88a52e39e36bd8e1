/** Share links of a bucket (DESIGN.md section 17): list-shares, revoke-share. */
import { type Command, type CommandContext, printLine } from '../usage.ts';
import { idArg } from '../validators.ts';
import { bucketId } from './options.ts';

async function listShares({ values, io, store }: CommandContext) {
  const id = idArg(values, 'bucket-id');
  const shares = await store().listShares(id);
  if (shares.length === 0) {
    printLine(io, `bucket ${id} has no shares`);
    return;
  }
  for (const share of shares) {
    // The label is printable text (the API refuses anything else); JSON quotes it anyway.
    const label = share.label === undefined ? '' : ` label ${JSON.stringify(share.label)}`;
    printLine(
      io,
      `${share.shareId} created ${share.createdAt} ${share.showIps ? 'ips shown' : 'ips hidden'}${label}`,
    );
  }
}

async function revokeShare({ values, io, store }: CommandContext) {
  const bucket = idArg(values, 'bucket-id');
  const shareId = idArg(values, 'share-id');
  await store().revokeShare({ bucketId: bucket, shareId });
  printLine(io, `revoked share ${shareId} of bucket ${bucket}: its link no longer opens anything`);
}

export const SHARE_COMMANDS: Record<string, Command> = {
  'list-shares': {
    summary: "List a bucket's share links (never their tokens)",
    details:
      'One line per share, oldest first: its id, when it was created, whether it shows the ' +
      "nodes' addresses, and its label.",
    options: { 'bucket-id': bucketId },
    examples: ['list-shares --bucket-id b-1'],
    run: listShares,
  },
  'revoke-share': {
    summary: 'Revoke a share link of a bucket',
    details:
      'Its token is refused from the next request on (deployed, an answer CloudFront cached ' +
      'before may be served for up to a minute more). Fails if the bucket has no such share.',
    options: {
      'bucket-id': bucketId,
      'share-id': { value: 'ID', description: 'share id (list-shares shows them)', required: true },
    },
    examples: ['revoke-share --bucket-id b-1 --share-id shr_0123456789abcdef0123456789abcdef'],
    run: revokeShare,
  },
};
