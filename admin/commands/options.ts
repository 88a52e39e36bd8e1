/** Flags several commands share, for their help text. */
import { ID_HINT } from '../validators.ts';

export const userId = { value: 'ID', description: `user id (${ID_HINT})`, required: true };
export const workspaceId = { value: 'ID', description: 'workspace id', required: true };
export const bucketId = { value: 'ID', description: 'bucket id', required: true };
export const nodeId = { value: 'ID', description: 'node id', required: true };
