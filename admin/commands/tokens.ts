/** Tokens: mint-token (development HS256 tokens; no table). */
import { assertSecretStrength, ConfigError } from '../../functions/shared/config.ts';
import { mintToken } from '../mint-token.ts';
import { type Command, type CommandContext, printLine } from '../usage.ts';
import { idArg, secondsArg } from '../validators.ts';
import { userId } from './options.ts';

const MAX_TOKEN_LIFETIME_SECONDS = 31 * 24 * 3600;

async function mintTokenCommand({ values, env, io }: CommandContext) {
  const userId = idArg(values, 'user-id');
  const expiresInSeconds = secondsArg(values, 'expires-in', MAX_TOKEN_LIFETIME_SECONDS);
  // Used as it is (not trimmed): the status API takes the same bytes as its HMAC key.
  const secret = env.JWT_SECRET?.trim() ? env.JWT_SECRET : undefined;
  if (!secret) throw new ConfigError('JWT_SECRET is required for mint-token (HS256)');
  assertSecretStrength(secret, 'JWT_SECRET');
  const issuer = env.JWT_ISSUER?.trim() || undefined;
  // The status API accepts any one of a comma-separated JWT_AUDIENCE list; claim them all.
  const audience = env.JWT_AUDIENCE?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const token = await mintToken({
    userId,
    secret,
    ...(expiresInSeconds !== undefined && { expiresInSeconds }),
    ...(issuer !== undefined && { issuer }),
    ...(audience?.length && { audience: audience.length === 1 ? audience[0] : audience }),
  });
  printLine(io, token);
}

export const TOKEN_COMMANDS: Record<string, Command> = {
  'mint-token': {
    summary: 'Print a development HS256 token for a user',
    details:
      'Signed with JWT_SECRET; carries JWT_ISSUER and JWT_AUDIENCE when set. Needs no table ' +
      'and does not check that the user exists.',
    options: {
      'user-id': userId,
      'expires-in': { value: 'SECONDS', description: 'token lifetime (default 3600)' },
    },
    examples: ['mint-token --user-id alice --expires-in 600'],
    run: mintTokenCommand,
  },
};
