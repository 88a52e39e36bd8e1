/**
 * The status page: which view, bucket and token (session.ts), the polling (use-bucket-polling.ts,
 * use-overview-polling.ts, use-share-polling.ts), and the components that show it
 * (components/). The logic without the DOM is view-model.ts.
 */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { BucketStatusClient } from '../../client/index.ts';
import { createPageClient } from './api.ts';
import { BucketHealthView } from './components/bucket-health.tsx';
import { EventsView } from './components/events-view.tsx';
import { Overview } from './components/overview.tsx';
import { SharedView } from './components/shared-view.tsx';
import { StatusView } from './components/status-view.tsx';
import { TokenForm } from './components/token-form.tsx';
import { forget, type Session, signIn, takeFragment } from './session.ts';
import { useBucketPolling, useNow } from './use-bucket-polling.ts';
import { useOverviewPolling } from './use-overview-polling.ts';
import { useSharePolling } from './use-share-polling.ts';
import { currentWindows, isBucketId, MALFORMED_BUCKET, REFRESH_MS } from './view-model.ts';

function App() {
  const [session, setSession] = useState<Session>(takeFragment);
  // Bumped by each link or sign-in, so the same bucket and token are read afresh.
  const [generation, setGeneration] = useState(0);
  const [client, setClient] = useState<BucketStatusClient>();
  const now = useNow();

  useEffect(() => {
    void createPageClient().then(setClient);
  }, []);

  const change = useCallback((next: Session) => {
    setSession(next);
    setGeneration((g) => g + 1);
  }, []);

  // A new link opened in this tab changes only the fragment: take it as on load.
  useEffect(() => {
    const onHashChange = () => change(takeFragment());
    addEventListener('hashchange', onHashChange);
    return () => removeEventListener('hashchange', onHashChange);
  }, [change]);

  const bucketId = session.kind === 'bucket' ? session.bucketId : undefined;
  const token = session.kind === 'bucket' ? session.token : undefined;
  const malformed = bucketId !== undefined && !isBucketId(bucketId);
  const data = useBucketPolling(client, malformed ? undefined : bucketId, token, generation);
  // A token with no bucket: the overview of every bucket it reads.
  const overviewShown = session.kind === 'bucket' && bucketId === undefined;
  const overview = useOverviewPolling(client, overviewShown ? token : undefined, generation);
  const shared = useSharePolling(
    client,
    session.kind === 'share' ? session.share : undefined,
    generation,
  );

  const problem =
    session.kind === 'share'
      ? shared.problem
      : malformed
        ? MALFORMED_BUCKET
        : overviewShown
          ? overview.problem
          : data.problem;
  const needsToken =
    session.kind === 'bucket' &&
    (token === undefined || malformed || problem?.kind === 'unauthorized');
  const showOverview = overviewShown && !needsToken;
  const showData = session.kind === 'bucket' && bucketId !== undefined && !needsToken;
  const shownStatus =
    problem === undefined || problem.kind === 'unavailable' ? data.status : undefined;
  // The listed windows; without the list (route missing or failing), the health's active one.
  const listed = data.maintenance?.data.windows;
  const active = data.health?.data.maintenance;
  const windows = useMemo(
    () => currentWindows(listed ?? (active === undefined ? [] : [active]), now),
    [listed, active, now],
  );

  return (
    <>
      <header class="top">
        <h1>Bucket status</h1>
        {session.kind === 'share' && (
          <p class="bucket shared-label">
            Shared view
            {shared.status !== undefined && (
              <>
                {' '}
                of bucket <code>{shared.status.data.bucketId}</code>
              </>
            )}
            <span class="visually-hidden">: read through a share link, no sign-in</span>
          </p>
        )}
        {bucketId !== undefined && (
          <p class="bucket">
            Bucket <code>{bucketId}</code>
          </p>
        )}
        {showData && (
          <a class="overview-link" href="#overview">
            All buckets
          </a>
        )}
        {(token !== undefined || session.kind === 'share') && (
          <button type="button" class="link" onClick={() => change(forget(session))}>
            {session.kind === 'share' ? 'Forget link' : 'Forget token'}
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
            key={`${bucketId ?? ''}#${generation}`}
            bucketId={bucketId}
            reason={malformed ? 'malformed' : token === undefined ? 'missing' : 'refused'}
            onSubmit={(next) => change(signIn(next.bucketId, next.token))}
          />
        )}
        {((showData && shownStatus === undefined) || (showOverview && overview.me === undefined)) &&
          problem === undefined && (
            <p class="loading" aria-live="polite">
              Loading…
            </p>
          )}
        {showOverview &&
          overview.me !== undefined &&
          overview.workspaces !== undefined &&
          (problem === undefined || problem.kind === 'unavailable') && (
            <Overview
              me={overview.me}
              workspaces={overview.workspaces}
              fetchedAt={overview.fetchedAt}
              now={now}
              onShowMore={overview.showMore}
            />
          )}
        {showData && shownStatus !== undefined && (
          <BucketHealthView
            health={data.health?.data}
            uptime={data.uptime?.data}
            windows={windows}
            now={now}
          />
        )}
        {showData && shownStatus !== undefined && (
          <StatusView
            status={shownStatus.data}
            uptime={data.uptime?.data}
            fetchedAt={data.fetchedAt}
            now={now}
          />
        )}
        {showData &&
          shownStatus !== undefined &&
          data.events !== null &&
          data.events !== undefined && <EventsView events={data.events.data} now={now} />}
        {session.kind === 'share' && shared.problem?.kind !== 'not-found' && (
          <SharedView
            health={shared.health?.data}
            status={shared.status?.data}
            uptime={shared.uptime?.data}
            events={shared.events?.data}
            fetchedAt={shared.fetchedAt}
            now={now}
          />
        )}
      </main>
      <footer>
        <p>Refreshes every {REFRESH_MS / 1000} s.</p>
      </footer>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
