import { useMemo } from 'preact/hooks';
import type {
  BucketUptimeResponse,
  NodeStatus,
  StorageBucketStatusResponse,
  UptimeDay,
} from '../../../client/index.ts';
import { countByStatus, latencyText, pairUptime, STATES, timeAgo } from '../view-model.ts';
import { STATE_WORDS, StatusBadge } from './status-badge.tsx';
import { UptimeBars } from './uptime-bars.tsx';

/** The bucket's counts per state, and one row per node with its uptime bars. */
export function StatusView(props: {
  status: StorageBucketStatusResponse;
  uptime: BucketUptimeResponse | undefined;
  fetchedAt: number | undefined;
  now: number;
}) {
  const { status, uptime, now } = props;
  const counts = useMemo(() => countByStatus(status.nodeStatus), [status]);
  const days = useMemo(() => pairUptime(uptime, status.nodeStatus), [uptime, status]);
  return (
    <>
      <section aria-labelledby="summary-title" class="summary">
        <h2 id="summary-title">
          {status.nodeStatus.length} node{status.nodeStatus.length === 1 ? '' : 's'}
        </h2>
        <ul class="counts">
          {STATES.map((state) => (
            <li key={state} class={`count count-${state.toLowerCase()}`}>
              <span class="count-number">{counts[state]}</span> {STATE_WORDS[state]}
            </li>
          ))}
        </ul>
        <p class="checked" aria-live="off">
          Checked{' '}
          {props.fetchedAt === undefined
            ? 'never'
            : timeAgo(new Date(props.fetchedAt).toISOString(), now)}
        </p>
      </section>
      <section aria-labelledby="nodes-title">
        <h2 id="nodes-title" class="visually-hidden">
          Nodes
        </h2>
        {status.nodeStatus.length === 0 ? (
          <p>No node is assigned to this bucket.</p>
        ) : (
          <ol class="nodes">
            {status.nodeStatus.map((node, index) => (
              <NodeRow
                key={`${node.ip ?? ''}#${index}`}
                node={node}
                index={index}
                days={days[index]}
                now={now}
              />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

function NodeRow(props: {
  node: NodeStatus;
  index: number;
  days: UptimeDay[] | undefined;
  now: number;
}) {
  const { node, index, days, now } = props;
  const name = node.ip ?? `node ${index + 1}`;
  return (
    <li class={`node node-${node.status.toLowerCase()}`} data-status={node.status}>
      <div class="node-head">
        <StatusBadge state={node.status} />
        <span class="node-ip">{name}</span>
      </div>
      <dl class="node-facts">
        <div>
          <dt>Region</dt>
          <dd>{node.region ?? '-'}</dd>
        </div>
        <div>
          <dt>Version</dt>
          <dd>{node.version ?? '-'}</dd>
        </div>
        <div>
          <dt>Latency</dt>
          <dd>{latencyText(node.latency_ms)}</dd>
        </div>
        <div>
          <dt>Last update</dt>
          <dd>
            {node.lastUpdated === undefined ? (
              'never'
            ) : (
              <time dateTime={node.lastUpdated} title={node.lastUpdated}>
                {timeAgo(node.lastUpdated, now)}
              </time>
            )}
          </dd>
        </div>
      </dl>
      {days !== undefined && days.length > 0 && <UptimeBars days={days} nodeName={name} />}
    </li>
  );
}
