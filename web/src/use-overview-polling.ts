/**
 * The overview's polling (a token with no `#bucket`): GET /me, then each workspace's buckets
 * (GET /workspace/{workspaceId}/buckets, following `nextCursor` for as many pages as the reader
 * asked to see), every REFRESH_MS, each answer revalidated with If-None-Match. Stops on a
 * problem only a new token solves (401, 403, 404 of GET /me); a workspace whose buckets cannot
 * be read shows its own message and the others stand.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type BucketStatusClient, HttpError } from '../../client/index.ts';
import type { Me, WorkspaceBucket } from '../../client/types.ts';
import type { Problem } from './api.ts';
import { overviewProblemFor, REFRESH_MS, workspaceProblemFor } from './view-model.ts';

export interface WorkspaceData {
  buckets: WorkspaceBucket[];
  /** More buckets follow the ones shown. */
  more: boolean;
  problem?: Problem;
}

export interface OverviewData {
  me?: Me;
  workspaces?: Record<string, WorkspaceData>;
  /** When GET /me last answered (200 or 304). */
  fetchedAt?: number;
  problem?: Problem;
}

const statusOf = (error: unknown) => (error instanceof HttpError ? error.status : 'network');
const retryOf = (error: unknown) =>
  error instanceof HttpError ? error.retryAfterSeconds : undefined;

/** Polls while `client` and `token` are given; `showMore(workspaceId)` reads one page more of it. */
export function useOverviewPolling(
  client: BucketStatusClient | undefined,
  token: string | undefined,
  generation: number,
): OverviewData & { showMore: (workspaceId: string) => void } {
  const key = JSON.stringify([token ?? null, generation]);
  const [state, setState] = useState<{ key: string; data: OverviewData }>({ key, data: {} });
  /** Pages wanted per workspace (1 unless asked for more). */
  const wanted = useRef(new Map<string, number>());
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    if (client === undefined || token === undefined) return;
    const update = (patch: OverviewData) =>
      setState((current) => ({
        key,
        data: { ...(current.key === key ? current.data : {}), ...patch },
      }));
    client.setAuthToken(token);
    wanted.current = new Map();
    let stopped = false;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let me: { etag: string | undefined; body: Me } | undefined;
    /** Each page read, by workspace and cursor, with its ETag. */
    const pages = new Map<
      string,
      { etag: string | undefined; buckets: WorkspaceBucket[]; next?: string }
    >();
    const shown: Record<string, WorkspaceData> = {};

    /** One workspace's pages, up to the number wanted; its problem, if any, stays with it. */
    const readWorkspace = async (workspaceId: string): Promise<Problem | undefined> => {
      const buckets: WorkspaceBucket[] = [];
      let cursor: string | undefined;
      let more = false;
      try {
        for (let page = 0; page < (wanted.current.get(workspaceId) ?? 1); page++) {
          const pageKey = `${workspaceId}\n${cursor ?? ''}`;
          const held = pages.get(pageKey);
          const answer = await client.listWorkspaceBucketsIfChanged(
            workspaceId,
            cursor === undefined ? {} : { cursor },
            held?.etag === undefined ? {} : { ifNoneMatch: held.etag },
          );
          if (stopped) return;
          const read =
            answer.notModified && held !== undefined
              ? held
              : answer.notModified
                ? undefined
                : {
                    etag: answer.etag,
                    buckets: answer.body.buckets,
                    ...(answer.body.nextCursor !== undefined && { next: answer.body.nextCursor }),
                  };
          if (read === undefined) break;
          pages.set(pageKey, read);
          buckets.push(...read.buckets);
          more = read.next !== undefined;
          if (read.next === undefined) break;
          cursor = read.next;
        }
        shown[workspaceId] = { buckets, more };
        return undefined;
      } catch (error) {
        if (stopped) return;
        const problem = workspaceProblemFor(statusOf(error), retryOf(error));
        // What was read before stays on screen, under the message.
        shown[workspaceId] = { ...(shown[workspaceId] ?? { buckets: [], more: false }), problem };
        return problem;
      }
    };

    /** GET /me and every workspace; false once a problem only a new token solves. */
    const refresh = async (): Promise<boolean> => {
      try {
        const answer = await client.getMeIfChanged(
          me?.etag === undefined ? {} : { ifNoneMatch: me.etag },
        );
        if (stopped) return false;
        if (!answer.notModified) me = { etag: answer.etag, body: answer.body };
        else if (me === undefined) return true;
      } catch (error) {
        if (stopped) return false;
        const problem = overviewProblemFor(statusOf(error), retryOf(error));
        update({ problem });
        return problem.kind === 'unavailable' || problem.kind === 'other';
      }
      const workspaces = me.body.workspaces;
      const problems = await Promise.all(workspaces.map((w) => readWorkspace(w.workspaceId)));
      if (stopped) return false;
      // A token refused while reading the buckets: the same as GET /me refusing it.
      const refused = problems.find((p) => p?.kind === 'unauthorized');
      if (refused !== undefined) {
        update({ problem: refused });
        return false;
      }
      const current: Record<string, WorkspaceData> = {};
      for (const w of workspaces) {
        const data = shown[w.workspaceId];
        if (data !== undefined) current[w.workspaceId] = data;
      }
      update({ me: me.body, workspaces: current, fetchedAt: Date.now(), problem: undefined });
      return true;
    };

    const cycle = async () => {
      running = true;
      clearTimeout(timer);
      const keepGoing = await refresh();
      running = false;
      if (stopped || !keepGoing) return;
      if (again) {
        again = false;
        void cycle();
      } else {
        timer = setTimeout(cycle, REFRESH_MS);
      }
    };
    kick.current = () => {
      if (stopped) return;
      if (running) again = true;
      else void cycle();
    };
    void cycle();
    return () => {
      stopped = true;
      kick.current = () => undefined;
      clearTimeout(timer);
    };
  }, [client, token, key]);

  const showMore = useCallback((workspaceId: string) => {
    wanted.current.set(workspaceId, (wanted.current.get(workspaceId) ?? 1) + 1);
    kick.current();
  }, []);

  return { ...(state.key === key ? state.data : {}), showMore };
}
