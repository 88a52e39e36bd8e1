import type { Me, WorkspaceBucket } from '../../../client/types.ts';
import type { WorkspaceData } from '../use-overview-polling.ts';
import {
  formatInstant,
  fragmentWithoutToken,
  ROLE_WORDS,
  timeAgo,
  verdictSummary,
} from '../view-model.ts';
import { VerdictBadge } from './verdict-badge.tsx';

/**
 * Every bucket the token's user may read, by workspace: each with its verdict (word, icon,
 * colour), node counts and `since`, linking to its own page (`#bucket=<id>`).
 */
export function Overview(props: {
  me: Me;
  workspaces: Record<string, WorkspaceData>;
  fetchedAt: number | undefined;
  now: number;
  onShowMore: (workspaceId: string) => void;
}) {
  const { me, workspaces, now } = props;
  const all = me.workspaces.flatMap((w) => workspaces[w.workspaceId]?.buckets ?? []);
  return (
    <>
      <section aria-labelledby="overview-title" class="summary overview-summary">
        <h2 id="overview-title">All buckets</h2>
        <p>
          {all.length} bucket{all.length === 1 ? '' : 's'} in {me.workspaces.length} workspace
          {me.workspaces.length === 1 ? '' : 's'}
          {all.length > 0 && `: ${verdictSummary(all.map((b) => b.verdict))}`}
        </p>
        <p class="checked" aria-live="off">
          Checked{' '}
          {props.fetchedAt === undefined
            ? 'never'
            : timeAgo(new Date(props.fetchedAt).toISOString(), now)}
        </p>
      </section>
      {me.workspaces.length === 0 && (
        <p class="empty">Your user reads no workspace yet. Ask an admin for access.</p>
      )}
      {me.workspaces.map((workspace, index) => {
        const data = workspaces[workspace.workspaceId];
        const titleId = `workspace-${index}`;
        return (
          <section
            key={workspace.workspaceId}
            aria-labelledby={titleId}
            class="workspace"
            data-workspace={workspace.workspaceId}
          >
            <h2 id={titleId}>
              {workspace.name}{' '}
              <span class="workspace-role">({ROLE_WORDS[workspace.role] ?? workspace.role})</span>
            </h2>
            {data?.problem !== undefined && (
              <div class={`problem problem-${data.problem.kind}`}>
                <p>
                  <strong>{data.problem.title}.</strong> {data.problem.detail}
                </p>
              </div>
            )}
            {data === undefined ? (
              <p class="loading">Loading…</p>
            ) : data.buckets.length === 0 ? (
              data.problem === undefined && <p class="empty">No bucket in this workspace.</p>
            ) : (
              <ul class="bucket-list">
                {data.buckets.map((bucket) => (
                  <BucketRow key={bucket.bucketId} bucket={bucket} now={now} />
                ))}
              </ul>
            )}
            {data?.more === true && (
              <button
                type="button"
                class="more"
                onClick={() => props.onShowMore(workspace.workspaceId)}
              >
                Show more buckets of {workspace.name}
              </button>
            )}
          </section>
        );
      })}
    </>
  );
}

function BucketRow({ bucket, now }: { bucket: WorkspaceBucket; now: number }) {
  const { nodes } = bucket;
  return (
    <li class="bucket-row" data-bucket={bucket.bucketId} data-verdict={bucket.verdict}>
      <a class="bucket-link" href={fragmentWithoutToken(bucket.bucketId)}>
        {bucket.name}
      </a>
      <VerdictBadge verdict={bucket.verdict} />
      <span class="bucket-counts">
        {nodes.online} of {nodes.assigned} node{nodes.assigned === 1 ? '' : 's'} online,{' '}
        {nodes.offline} offline, {nodes.disconnected} disconnected
      </span>
      {bucket.since !== undefined && (
        <span class="bucket-since">
          since{' '}
          <time dateTime={bucket.since} title={formatInstant(bucket.since)}>
            {timeAgo(bucket.since, now)}
          </time>
        </span>
      )}
      {bucket.maintenance !== undefined && (
        <span class="bucket-maintenance">
          Maintenance until {formatInstant(bucket.maintenance.end)}
          {bucket.maintenance.reason !== undefined && `: ${bucket.maintenance.reason}`}
        </span>
      )}
    </li>
  );
}
