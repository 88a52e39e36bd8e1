/**
 * The polling hook: GET status every REFRESH_MS with If-None-Match, the bucket's health and the
 * latest events with it, the uptime bars every minute or as soon as the bucket's nodes change,
 * the maintenance windows every minute or as soon as the health changes. Stops on a problem
 * only a new token or link can solve (401, 403, 404).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type BucketEventsPage,
  type BucketHealth,
  type BucketStatusClient,
  type BucketUptimeResponse,
  type Conditional,
  HttpError,
  type MaintenanceWindowList,
  type StorageBucketStatusResponse,
} from '../../client/index.ts';
import { type Problem, problemOf, routeMissing } from './api.ts';
import { EVENTS_SHOWN, nodeSetKey, REFRESH_MS } from './view-model.ts';

/** Uptime changes by the minute at most: revalidated this often (and the maintenance list). */
const UPTIME_REFRESH_MS = 60_000;

export interface Section<T> {
  data: T;
  etag: string | undefined;
}

export interface BucketData {
  status?: Section<StorageBucketStatusResponse>;
  /** When GET status last answered (200 or 304). */
  fetchedAt?: number;
  problem?: Problem;
  /** null: the route is missing or failing, the section is hidden. */
  uptime?: Section<BucketUptimeResponse> | null;
  events?: Section<BucketEventsPage> | null;
  health?: Section<BucketHealth> | null;
  maintenance?: Section<MaintenanceWindowList> | null;
}

/**
 * Polls the bucket while `client`, `bucketId` and `token` are all given. The data is that of
 * the current bucket, token and `generation` only: a change of any of them starts empty.
 */
export function useBucketPolling(
  client: BucketStatusClient | undefined,
  bucketId: string | undefined,
  token: string | undefined,
  generation: number,
): BucketData {
  const key = JSON.stringify([bucketId ?? null, token ?? null, generation]);
  const [state, setState] = useState<{ key: string; data: BucketData }>({ key, data: {} });
  const etags = useRef<{
    status?: string;
    uptime?: string;
    events?: string;
    health?: string;
    maintenance?: string;
  }>({});

  useEffect(() => {
    if (client === undefined || bucketId === undefined || token === undefined) return;
    const update = (patch: BucketData) =>
      setState((current) => ({
        key,
        data: { ...(current.key === key ? current.data : {}), ...patch },
      }));
    client.setAuthToken(token);
    etags.current = {};
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastUptime = 0;
    let uptimeNodes: string | undefined;
    let nodes: string | undefined;
    let lastMaintenance = 0;
    let maintenanceHealth: string | undefined;

    const refreshStatus = async (): Promise<boolean> => {
      try {
        const answer = await client.getBucketStatusIfChanged(bucketId, {
          ...(etags.current.status !== undefined && { ifNoneMatch: etags.current.status }),
        });
        if (stopped) return false;
        if (!answer.notModified) {
          etags.current.status = answer.etag;
          nodes = nodeSetKey(answer.body.nodeStatus);
          update({ status: { data: answer.body, etag: answer.etag } });
        }
        update({ fetchedAt: Date.now(), problem: undefined });
        return true;
      } catch (error) {
        if (stopped) return false;
        const found = problemOf(error);
        update({ problem: found });
        // Only a passing outage is worth retrying; the others need a new token or link.
        return found.kind === 'unavailable' || found.kind === 'other';
      }
    };

    const refreshSection = async <T>(
      name: 'uptime' | 'events' | 'health' | 'maintenance',
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
      if (stopped || !keepGoing) return;
      const sections: Promise<void>[] = [
        refreshSection<BucketHealth>(
          'health',
          (ifNoneMatch) =>
            client.getBucketHealthIfChanged(
              bucketId,
              ifNoneMatch === undefined ? {} : { ifNoneMatch },
            ),
          (health) => update({ health }),
        ),
        refreshSection<BucketEventsPage>(
          'events',
          (ifNoneMatch) =>
            client.listBucketEventsIfChanged(
              bucketId,
              { limit: EVENTS_SHOWN },
              ifNoneMatch === undefined ? {} : { ifNoneMatch },
            ),
          (events) => update({ events }),
        ),
      ];
      if (Date.now() - lastUptime >= UPTIME_REFRESH_MS || nodes !== uptimeNodes) {
        lastUptime = Date.now();
        uptimeNodes = nodes;
        sections.push(
          refreshSection<BucketUptimeResponse>(
            'uptime',
            (ifNoneMatch) =>
              client.getBucketUptimeIfChanged(
                bucketId,
                30,
                ifNoneMatch === undefined ? {} : { ifNoneMatch },
              ),
            (uptime) => update({ uptime }),
          ),
        );
      }
      await Promise.all(sections);
      // The windows: every minute, and at once when the health changed (a window began or
      // ended, or one was added while the page was open is seen within the minute).
      if (
        !stopped &&
        (Date.now() - lastMaintenance >= UPTIME_REFRESH_MS ||
          etags.current.health !== maintenanceHealth)
      ) {
        lastMaintenance = Date.now();
        maintenanceHealth = etags.current.health;
        await refreshSection<MaintenanceWindowList>(
          'maintenance',
          async () => ({
            notModified: false,
            etag: undefined,
            body: await client.listMaintenanceWindows(bucketId),
          }),
          (maintenance) => update({ maintenance }),
        );
      }
      if (!stopped) timer = setTimeout(cycle, REFRESH_MS);
    };
    void cycle();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, bucketId, token, key]);

  return state.key === key ? state.data : {};
}

/** The current time, ticking every `intervalMs` (for "12 s ago"). */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
