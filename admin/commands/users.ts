/** Users: create-user, disable-user, revoke-tokens. */
import { ORG_ROLES, type OrgRole } from '../../functions/domain/access.ts';
import { type Command, type CommandContext, printJson, printLine } from '../usage.ts';
import { enumArg, idArg } from '../validators.ts';
import { userId } from './options.ts';

async function createUser({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const orgId = idArg(values, 'org-id');
  const orgRole = enumArg<OrgRole>(values, 'org-role', ORG_ROLES, 'MEMBER');
  await store().createUser({ userId, orgId, orgRole });
  printLine(io, `created user ${userId} (org ${orgId}, ${orgRole}, ACTIVE)`);
}

async function disableUser({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  await store().disableUser(userId);
  printLine(io, `disabled user ${userId}`);
}

async function revokeTokens({ values, io, store }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const tokensValidAfter = await store().revokeTokens(userId);
  printJson(io, {
    userId,
    tokensValidAfter,
    revokedBefore: new Date(tokensValidAfter * 1000).toISOString(),
  });
}

export const USER_COMMANDS: Record<string, Command> = {
  'create-user': {
    summary: 'Create an ACTIVE user in an organization',
    details: 'Fails if the user exists. Org OWNERs and ADMINs may read every bucket of their org.',
    options: {
      'user-id': userId,
      'org-id': { value: 'ID', description: 'organization id', required: true },
      'org-role': {
        value: ORG_ROLES.join('|'),
        description:
          'role in the organization (default MEMBER); OWNER and ADMIN read every bucket of the org',
      },
    },
    examples: ['create-user --user-id alice --org-id acme --org-role MEMBER'],
    run: createUser,
  },
  'disable-user': {
    summary: 'Disable a user',
    details: "Every status request with the user's tokens then answers 403.",
    options: { 'user-id': userId },
    examples: ['disable-user --user-id alice'],
    run: disableUser,
  },
  'revoke-tokens': {
    summary: 'Revoke every token issued to a user so far',
    details: 'Tokens issued up to and including the current second answer 401; later ones work.',
    options: { 'user-id': userId },
    examples: ['revoke-tokens --user-id alice'],
    run: revokeTokens,
  },
};
