import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Principal } from '../domain/access.ts';
import { apiKeyAccess, type UserAccess } from '../domain/access.ts';
import type { LoadUserAccess } from '../domain/ports/bucket-reads.ts';
import { readNumber, readString, S } from './attributes.ts';
import { PROFILE_SK, userPk, WORKSPACE_SK_PREFIX } from './keys.ts';
import { queryAll } from './query-all.ts';

export function userPartitionQuery(tableName: string, userId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': S(userPk(userId)) },
    ProjectionExpression: 'sk, orgId, orgRole, #status, tokensValidAfter, #role',
    ExpressionAttributeNames: { '#status': 'status', '#role': 'role' },
  };
}

/**
 * Reads a user's partition (PROFILE + WORKSPACE# rows) in one paginated Query; an API key's
 * principal reads nothing (its grant came with it from the key's lookup row).
 */
export function createUserAccessReader(client: DynamoDBClient, tableName: string): LoadUserAccess {
  return async function loadUserAccess(principal: Principal): Promise<UserAccess | undefined> {
    if (principal.apiKey !== undefined) return apiKeyAccess(principal.apiKey);
    const { userId } = principal;
    let profileFound = false;
    const access: UserAccess = {
      userId,
      orgId: undefined,
      orgRole: undefined,
      status: undefined,
      tokensValidAfter: undefined,
      workspaceRoles: new Map(),
    };
    const roles = access.workspaceRoles as Map<string, string>;
    await queryAll(client, userPartitionQuery(tableName, userId), (items) => {
      for (const item of items) {
        const sk = readString(item, 'sk');
        if (sk === PROFILE_SK) {
          profileFound = true;
          access.orgId = readString(item, 'orgId');
          access.orgRole = readString(item, 'orgRole');
          access.status = readString(item, 'status');
          access.tokensValidAfter = readNumber(item, 'tokensValidAfter');
        } else if (sk?.startsWith(WORKSPACE_SK_PREFIX)) {
          const role = readString(item, 'role');
          if (role !== undefined) roles.set(sk.slice(WORKSPACE_SK_PREFIX.length), role);
        }
      }
    });
    return profileFound ? access : undefined;
  };
}
