import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  type BucketEventsPage,
  BucketStatusClient,
  type BucketUptimeResponse,
  type Conditional,
  HttpError,
  isApiErrorBody,
  type NodeState,
  type NodeStatus,
  type StorageBucketStatusResponse,
  type UptimeDay,
} from '../../client/index.ts';
import {
  BUCKET_STORAGE_KEY,
  countByStatus,
  fragmentWithoutToken,
  isBucketId,
  latencyText,
  overallUptime,
  parseFragment,
  problemFor,
  REFRESH_MS,
  STATES,
  TOKEN_STORAGE_KEY,
  timeAgo,
  uptimeLevel,
  uptimeText,
} from './view-model.ts';

/** Uptime changes by the minute at most: revalidated this often. */
const UPTIME_REFRESH_MS = 60_000;
const EVENTS_SHOWN = 10;

interface Credentials {
  bucketId: string | undefined;
  token: string | undefined;
}

/** Moves a token from the address bar to sessionStorage; the bucket id stays visible. */
function takeCredentials(): Credentials {
  const fromFragment = parseFragment(location.hash);
  if (fromFragment.token !== undefined) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromFragment.token);
  }
  if (fromFragment.bucketId !== undefined) {
    sessionStorage.setItem(BUCKET_STORAGE_KEY, fromFragment.bucketId);
  }
  const bucketId = fromFragment.bucketId ?? sessionStorage.getItem(BUCKET_STORAGE_KEY) ?? undefined;
  if (location.hash !== fragmentWithoutToken(bucketId)) {
    history.replaceState(
      null,
      '',
      `${location.pathname}${location.search}${fragmentWithoutToken(bucketId)}`,
    );
  }
  return { bucketId, token: sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? undefined };
}

async function loadApiUrl(): Promise<string> {
  try {
    const response = await fetch('config.json', { cache: 'no-cache' });
    if (response.ok) {
      const config = (await response.json()) as { apiUrl?: unknown };
      if (typeof config.apiUrl === 'string' && config.apiUrl !== '') {
        return new URL(config.apiUrl, location.href).href;
      }
    }
  } catch {
    // no config: the API is on this origin (the local runtime)
  }
  return new URL('/', location.href).href;
}

type Problem = ReturnType<typeof problemFor>;

interface Section<T> {
  data: T;
  etag: string | undefined;
}

const problemOf = (error: unknown): Problem =>
  error instanceof HttpError
    ? problemFor(error.status, error.retryAfterSeconds)
    : problemFor('network');

/** A route that is not deployed answers API Gateway's own 404 (`{ message: "Not Found" }`). */
const routeMissing = (error: unknown) =>
  error instanceof HttpError && error.status === 404 && !isApiErrorBody(error.body);

function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function App() {
  const [credentials, setCredentials] = useState<Credentials>(takeCredentials);
  const [client, setClient] = useState<BucketStatusClient>();
  const [status, setStatus] = useState<Section<StorageBucketStatusResponse>>();
  const [fetchedAt, setFetchedAt] = useState<number>();
  const [problem, setProblem] = useState<Problem>();
  const [uptime, setUptime] = useState<Section<BucketUptimeResponse> | null>();
  const [events, setEvents] = useState<Section<BucketEventsPage> | null>();
  const [generation, setGeneration] = useState(0);
  const etags = useRef<{ status?: string; uptime?: string; events?: string }>({});
  const now = useNow();

  useEffect(() => {
    void loadApiUrl().then((baseUrl) =>
      // The page retries on its own every refresh; a 503 shows at once.
      setClient(new BucketStatusClient({ baseUrl, timeoutMs: 10_000, retry: false })),
    );
  }, []);

  const { bucketId, token } = credentials;
  const ready = client !== undefined && bucketId !== undefined && token !== undefined;

  useEffect(() => {
    if (!ready || client === undefined || bucketId === undefined) return;
    client.setAuthToken(token);
    etags.current = {};
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastUptime = 0;

    const refreshStatus = async (): Promise<boolean> => {
      try {
        const answer = await client.getBucketStatusIfChanged(bucketId, {
          ...(etags.current.status !== undefined && { ifNoneMatch: etags.current.status }),
        });
        if (stopped) return false;
        if (!answer.notModified) {
          etags.current.status = answer.etag;
          setStatus({ data: answer.body, etag: answer.etag });
        }
        setFetchedAt(Date.now());
        setProblem(undefined);
        return true;
      } catch (error) {
        if (stopped) return false;
        const found = problemOf(error);
        setProblem(found);
        // Only a passing outage is worth retrying; the others need a new token or link.
        return found.kind === 'unavailable' || found.kind === 'other';
      }
    };

    const refreshSection = async <T,>(
      name: 'uptime' | 'events',
      load: (ifNoneMatch?: string) => Promise<Conditional<T>>,
      set: (value: Section<T> | null) => void,
    ) => {
      try {
        const answer = await load(etags.current[name]);
        if (stopped || answer.notModified) return;
        etags.current[name] = answer.etag;
        set({ data: answer.body, etag: answer.etag });
      } catch (error) {
        if (stopped) return;
        // A route not deployed yet (or failing) hides its section; the status part stands.
        if (routeMissing(error) || !(error instanceof HttpError) || error.status >= 500) {
          etags.current[name] = undefined;
          set(null);
        }
      }
    };

    const cycle = async () => {
      const keepGoing = await refreshStatus();
      if (stopped) return;
      if (keepGoing) {
        const sections: Promise<void>[] = [
          refreshSection<BucketEventsPage>(
            'events',
            (ifNoneMatch) =>
              client.listBucketEventsIfChanged(
                bucketId,
                { limit: EVENTS_SHOWN },
                ifNoneMatch === undefined ? {} : { ifNoneMatch },
              ),
            setEvents,
          ),
        ];
        if (Date.now() - lastUptime >= UPTIME_REFRESH_MS) {
          lastUptime = Date.now();
          sections.push(
            refreshSection<BucketUptimeResponse>(
              'uptime',
              (ifNoneMatch) =>
                client.getBucketUptimeIfChanged(
                  bucketId,
                  30,
                  ifNoneMatch === undefined ? {} : { ifNoneMatch },
                ),
              setUptime,
            ),
          );
        }
        await Promise.all(sections);
        if (!stopped) timer = setTimeout(cycle, REFRESH_MS);
      }
    };
    void cycle();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [ready, client, bucketId, token, generation]);

  const signIn = useCallback((next: { bucketId: string; token: string }) => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, next.token);
    sessionStorage.setItem(BUCKET_STORAGE_KEY, next.bucketId);
    history.replaceState(null, '', `${location.pathname}${fragmentWithoutToken(next.bucketId)}`);
    setStatus(undefined);
    setUptime(undefined);
    setEvents(undefined);
    setProblem(undefined);
    setCredentials(next);
    setGeneration((g) => g + 1);
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    setStatus(undefined);
    setProblem(undefined);
    setCredentials((c) => ({ bucketId: c.bucketId, token: undefined }));
  }, []);

  const needsToken =
    token === undefined || bucketId === undefined || problem?.kind === 'unauthorized';
  const shownStatus = problem === undefined || problem.kind === 'unavailable' ? status : undefined;

  return (
    <>
      <header class="top">
        <h1>Bucket status</h1>
        {bucketId !== undefined && (
          <p class="bucket">
            Bucket <code>{bucketId}</code>
          </p>
        )}
        {token !== undefined && (
          <button type="button" class="link" onClick={signOut}>
            Forget token
          </button>
        )}
      </header>
      <main>
        {problem !== undefined && (
          <div class={`problem problem-${problem.kind}`} role="alert">
            <h2>{problem.title}</h2>
            <p>{problem.detail}</p>
          </div>
        )}
        {needsToken && (
          <TokenForm
            bucketId={bucketId}
            reason={token === undefined ? 'missing' : 'refused'}
            onSubmit={signIn}
          />
        )}
        {!needsToken && shownStatus === undefined && problem === undefined && (
          <p class="loading" aria-live="polite">
            Loading…
          </p>
        )}
        {!needsToken && shownStatus !== undefined && (
          <StatusView
            status={shownStatus.data}
            uptime={uptime?.data}
            fetchedAt={fetchedAt}
            now={now}
          />
        )}
        {!needsToken && shownStatus !== undefined && events !== null && events !== undefined && (
          <EventsView events={events.data} now={now} />
        )}
      </main>
      <footer>
        <p>Refreshes every {REFRESH_MS / 1000} s.</p>
      </footer>
    </>
  );
}

function TokenForm(props: {
  bucketId: string | undefined;
  reason: 'missing' | 'refused';
  onSubmit: (value: { bucketId: string; token: string }) => void;
}) {
  const [bucket, setBucket] = useState(props.bucketId ?? '');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      class="token-form"
      aria-labelledby="token-form-title"
      onSubmit={(event) => {
        event.preventDefault();
        const bucketId = bucket.trim();
        const value = token.trim();
        if (!isBucketId(bucketId)) {
          setError('The bucket id is 1-128 characters of letters, digits, _ or -.');
        } else if (value === '') {
          setError('Paste your token.');
        } else {
          setError(undefined);
          props.onSubmit({ bucketId, token: value });
        }
      }}
    >
      <h2 id="token-form-title">
        {props.reason === 'missing' ? 'Sign in with a token' : 'Paste a new token'}
      </h2>
      <p>The token stays in this browser tab (session storage) and is sent only to the API.</p>
      <label for="bucket-input">Bucket id</label>
      <input
        id="bucket-input"
        name="bucket"
        autocomplete="off"
        spellcheck={false}
        value={bucket}
        onInput={(e) => setBucket((e.target as HTMLInputElement).value)}
      />
      <label for="token-input">Token</label>
      <input
        id="token-input"
        name="token"
        type="password"
        autocomplete="off"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
      />
      {error !== undefined && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Show status</button>
    </form>
  );
}

const STATE_WORDS: Record<NodeState, string> = {
  ONLINE: 'Online',
  OFFLINE: 'Offline',
  DISCONNECTED: 'Disconnected',
};

function StatusBadge({ state }: { state: NodeState }) {
  return (
    <span class={`badge badge-${state.toLowerCase()}`}>
      <span class="badge-icon" aria-hidden="true" />
      {state}
    </span>
  );
}

function StatusView(props: {
  status: StorageBucketStatusResponse;
  uptime: BucketUptimeResponse | undefined;
  fetchedAt: number | undefined;
  now: number;
}) {
  const { status, uptime, now } = props;
  const counts = useMemo(() => countByStatus(status.nodeStatus), [status]);
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
                key={index}
                node={node}
                index={index}
                days={matchUptime(uptime, node, index)}
                now={now}
              />
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

/** Uptime lists the same nodes in the same order as GET status (DESIGN.md section 8). */
function matchUptime(
  uptime: BucketUptimeResponse | undefined,
  node: NodeStatus,
  index: number,
): UptimeDay[] | undefined {
  const candidate = uptime?.nodes[index];
  if (candidate === undefined) return undefined;
  if (node.ip !== undefined && candidate.ip !== undefined && candidate.ip !== node.ip) {
    return uptime?.nodes.find((n) => n.ip === node.ip)?.days;
  }
  return candidate.days;
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

/**
 * One bar per day, one tab stop per node (roving tabindex: arrows move between days). The
 * focused or hovered day's figure is shown as text under the bars, and as each bar's name.
 */
function UptimeBars({ days, nodeName }: { days: UptimeDay[]; nodeName: string }) {
  const [active, setActive] = useState(days.length - 1);
  const [shown, setShown] = useState<number>();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const activeIndex = Math.min(active, days.length - 1);
  const overall = overallUptime(days);
  const detailDay = days[shown ?? activeIndex];
  const move = (to: number) => {
    const next = Math.max(0, Math.min(days.length - 1, to));
    setActive(next);
    setShown(next);
    refs.current[next]?.focus();
  };
  return (
    <div class="uptime">
      <p class="uptime-title">
        {days.length}-day uptime: {overall === null ? 'no data' : `${overall}%`}
      </p>
      <fieldset class="bars" onMouseLeave={() => setShown(undefined)}>
        <legend class="visually-hidden">
          Daily uptime of {nodeName}; arrow keys move between days
        </legend>
        {days.map((day, i) => (
          <button
            type="button"
            key={day.day}
            ref={(el) => {
              refs.current[i] = el;
            }}
            class={`bar bar-${uptimeLevel(day.perc_uptime)}`}
            tabIndex={i === activeIndex ? 0 : -1}
            aria-label={uptimeText(day)}
            title={uptimeText(day)}
            onFocus={() => {
              setActive(i);
              setShown(i);
            }}
            onBlur={() => setShown(undefined)}
            onMouseEnter={() => setShown(i)}
            onKeyDown={(e) => {
              const keys: Record<string, number> = {
                ArrowLeft: i - 1,
                ArrowRight: i + 1,
                Home: 0,
                End: days.length - 1,
              };
              const to = keys[e.key];
              if (to !== undefined) {
                e.preventDefault();
                move(to);
              }
            }}
          />
        ))}
      </fieldset>
      <p class={`uptime-detail${shown === undefined ? ' idle' : ''}`} aria-hidden="true">
        {detailDay === undefined ? '' : uptimeText(detailDay)}
      </p>
    </div>
  );
}

function EventsView({ events, now }: { events: BucketEventsPage; now: number }) {
  return (
    <section aria-labelledby="events-title" class="events">
      <h2 id="events-title">Latest events</h2>
      {events.events.length === 0 ? (
        <p>No status change recorded yet.</p>
      ) : (
        <ol>
          {events.events.slice(0, EVENTS_SHOWN).map((event) => (
            <li key={event.id}>
              <time dateTime={event.at} title={event.at}>
                {timeAgo(event.at, now)}
              </time>{' '}
              <span class="event-node">{event.ip ?? event.host}</span>
              {event.region !== undefined && <span class="event-region"> ({event.region})</span>}:{' '}
              <StatusBadge state={event.from} /> <span aria-hidden="true">→</span>
              <span class="visually-hidden">to</span>
              <StatusBadge state={event.to} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
