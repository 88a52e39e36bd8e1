import {
  DEFAULT_API_KEY_DAYS,
  MAX_API_KEY_DAYS,
  MAX_API_KEY_DESCRIPTION_LENGTH,
  MIN_API_KEY_DAYS,
  NewApiKey,
} from '../wire/api-keys.ts';
import { firstIssue, type Issue } from '../wire/check.ts';
import { textProblem } from './ids.ts';

export interface NewApiKeyInput {
  description: string | undefined;
  expiresInDays: number;
}

/** The description's length counts code points, not the UTF-16 units a validator counts. */
const checkedLater = (issue: Issue) =>
  issue.path[0] === 'description' && issue.error.type === 'StringMaxLength';

function newApiKeyMessage(issue: Issue): string {
  const [field] = issue.path;
  if (field === undefined) {
    return 'body must be a JSON object { "description"?, "expiresInDays"? }';
  }
  if (issue.kind === 'unknown') return `unknown field: ${field}`;
  if (field === 'description') return 'description must be a string';
  return `expiresInDays must be an integer from ${MIN_API_KEY_DAYS} to ${MAX_API_KEY_DAYS}`;
}

/**
 * Body of POST /workspace/{workspaceId}/api-keys (wire/api-keys.ts); throws a message naming
 * the field. An absent body field takes its default; a null description is none.
 */
export function parseNewApiKey(value: unknown): NewApiKeyInput {
  const body =
    typeof value === 'object' &&
    value !== null &&
    'description' in value &&
    value.description === null
      ? { ...value, description: undefined }
      : value;
  const issue = firstIssue(NewApiKey, body, { ignore: checkedLater });
  if (issue !== undefined) throw new Error(newApiKeyMessage(issue));
  const { description, expiresInDays } = body as NewApiKey;
  if (description !== undefined) {
    // The rule of every stored text (functions/domain/ids.ts): printable, in code points.
    const problem = textProblem(description, 'description', 0, MAX_API_KEY_DESCRIPTION_LENGTH);
    if (problem !== undefined) throw new Error(problem);
  }
  return {
    description: description !== undefined && description !== '' ? description : undefined,
    expiresInDays: expiresInDays ?? DEFAULT_API_KEY_DAYS,
  };
}
