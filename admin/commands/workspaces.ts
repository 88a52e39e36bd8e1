/** Workspaces and buckets: create-workspace, create-bucket. */
import { type Command, type CommandContext, printLine } from '../usage.ts';
import { idArg, nameArg, optionalIdArg } from '../validators.ts';
import { bucketId, workspaceId } from './options.ts';

async function createWorkspace({ values, io, store }: CommandContext) {
  const id = idArg(values, 'workspace-id');
  const orgId = idArg(values, 'org-id');
  const name = nameArg(values, 'name', id);
  await store().createWorkspace({ workspaceId: id, orgId, name });
  printLine(io, `created workspace ${id} in org ${orgId}`);
}

async function createBucket({ values, io, store }: CommandContext) {
  const id = idArg(values, 'bucket-id');
  const workspace = idArg(values, 'workspace-id');
  const requestedOrg = optionalIdArg(values, 'org-id');
  const name = nameArg(values, 'name', id);
  const { orgId } = await store().createBucket({
    bucketId: id,
    workspaceId: workspace,
    orgId: requestedOrg,
    name,
  });
  printLine(io, `created bucket ${id} in workspace ${workspace} (org ${orgId})`);
}

export const WORKSPACE_COMMANDS: Record<string, Command> = {
  'create-workspace': {
    summary: 'Create a workspace of an organization',
    details:
      'Fails if the workspace exists. Its buckets take its org, and only users of that org ' +
      'can be granted a role in it. Run again with the same org and name, it still fails, ' +
      'but first writes its listing row (which a create interrupted after its first write ' +
      'lacks).',
    options: {
      'workspace-id': workspaceId,
      'org-id': { value: 'ID', description: 'organization id', required: true },
      name: { value: 'NAME', description: 'display name (default: the workspace id)' },
    },
    examples: ['create-workspace --workspace-id ws-1 --org-id acme --name "Photo team"'],
    run: createWorkspace,
  },
  'create-bucket': {
    summary: 'Create a bucket in an existing workspace',
    details:
      "Fails if the bucket exists or the workspace does not. The bucket takes the workspace's " +
      'org; an --org-id that differs is refused. Run again with the same workspace and name, ' +
      'it still fails, but first writes its listing row and the start of its health timeline ' +
      '(which a create interrupted after its first write lacks).',
    options: {
      'bucket-id': bucketId,
      'workspace-id': workspaceId,
      'org-id': { value: 'ID', description: "the workspace's organization (optional check)" },
      name: { value: 'NAME', description: 'display name (default: the bucket id)' },
    },
    examples: ['create-bucket --bucket-id b-1 --workspace-id ws-1 --name photos'],
    run: createBucket,
  },
};
