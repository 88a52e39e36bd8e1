/** Every command of the operator CLI, by name, in the order the help lists them. */

import { ACCESS_COMMANDS } from './commands/access.ts';
import { API_KEY_COMMANDS } from './commands/api-keys.ts';
import { HEALTH_COMMANDS } from './commands/health.ts';
import { LISTING_COMMANDS } from './commands/listings.ts';
import { NODE_COMMANDS } from './commands/nodes.ts';
import { SHARE_COMMANDS } from './commands/shares.ts';
import { TOKEN_COMMANDS } from './commands/tokens.ts';
import { USER_COMMANDS } from './commands/users.ts';
import { WORKSPACE_COMMANDS } from './commands/workspaces.ts';
import type { Command } from './usage.ts';

export const COMMANDS: Record<string, Command> = {
  ...USER_COMMANDS,
  ...ACCESS_COMMANDS,
  ...WORKSPACE_COMMANDS,
  ...LISTING_COMMANDS,
  ...NODE_COMMANDS,
  ...TOKEN_COMMANDS,
  ...SHARE_COMMANDS,
  ...HEALTH_COMMANDS,
  ...API_KEY_COMMANDS,
};
