/**
 * The polling of a shared view (`#share=<token>`): the public routes of the share, every
 * REFRESH_MS with If-None-Match (health, status, health events), the availability bars every
 * minute. Public calls carry no Authorization header; the token is in the path. Stops on a 404
 * (a revoked or unknown link: only a new link solves it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type BucketHealth,
  type BucketStatusClient,
  type BucketUptimeResponse,
  type Conditional,
  type HealthEventsPage,
  HttpError,
  type StorageBucketStatusResponse,
} from '../../client/index.ts';
import type { Problem } from './api.ts';
import type { Section } from './use-bucket-polling.ts';
import { EVENTS_SHOWN, REFRESH_MS, shareProblemFor } from './view-model.ts';

const UPTIME_REFRESH_MS = 60_000;

export interface ShareData {
  health?: Section<BucketHealth>;
  status?: Section<StorageBucketStatusResponse>;
  fetchedAt?: number;
  problem?: Problem;
  /** null: the route answered with an error, the section is hidden. */
  uptime?: Section<BucketUptimeResponse> | null;
  events?: Section<HealthEventsPage> | null;
}

const problemOf = (error: unknown): Problem =>
  error instanceof HttpError
    ? shareProblemFor(error.status, error.retryAfterSeconds)
    : shareProblemFor('network');

export function useSharePolling(
  client: BucketStatusClient | undefined,
  share: string | undefined,
  generation: number,
): ShareData {
  const key = JSON.stringify([share ?? null, generation]);
  const [state, setState] = useState<{ key: string; data: ShareData }>({ key, data: {} });
  const etags = useRef<{ health?: string; status?: string; uptime?: string; events?: string }>({});

  useEffect(() => {
    if (client === undefined || share === undefined) return;
    const update = (patch: ShareData) =>
      setState((current) => ({
        key,
        data: { ...(current.key === key ? current.data : {}), ...patch },
      }));
    etags.current = {};
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastUptime = 0;
    const options = (name: keyof typeof etags.current) => {
      const etag = etags.current[name];
      return etag === undefined ? {} : { ifNoneMatch: etag };
    };

    /** One section: its new body, or nothing when unchanged; false once a problem stops all. */
    const refresh = async <T>(
      name: keyof typeof etags.current,
      load: () => Promise<Conditional<T>>,
      set: (value: Section<T>) => void,
      required: boolean,
    ): Promise<boolean> => {
      try {
        const answer = await load();
        if (stopped) return false;
        if (!answer.notModified) {
          etags.current[name] = answer.etag;
          set({ data: answer.body, etag: answer.etag });
        }
        return true;
      } catch (error) {
        if (stopped) return false;
        if (!required) {
          etags.current[name] = undefined;
          update({ [name]: null } as ShareData);
          return true;
        }
        const found = problemOf(error);
        update({ problem: found });
        return found.kind === 'unavailable' || found.kind === 'other';
      }
    };

    const cycle = async () => {
      const results = await Promise.all([
        refresh(
          'health',
          () => client.getPublicHealthIfChanged(share, options('health')),
          (health) => update({ health }),
          true,
        ),
        refresh(
          'status',
          () => client.getPublicStatusIfChanged(share, options('status')),
          (status) => update({ status }),
          true,
        ),
        refresh(
          'events',
          () =>
            client.listPublicHealthEventsIfChanged(
              share,
              { limit: EVENTS_SHOWN },
              options('events'),
            ),
          (events) => update({ events }),
          false,
        ),
        ...(Date.now() - lastUptime >= UPTIME_REFRESH_MS
          ? [
              refresh(
                'uptime',
                () => client.getPublicUptimeIfChanged(share, 30, options('uptime')),
                (uptime) => update({ uptime }),
                false,
              ),
            ]
          : []),
      ]);
      if (stopped) return;
      if (results[0] === true && results[1] === true) {
        update({ fetchedAt: Date.now(), problem: undefined });
      }
      if (results.length === 4) lastUptime = Date.now();
      if (results.every(Boolean)) timer = setTimeout(cycle, REFRESH_MS);
    };
    void cycle();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, share, key]);

  return state.key === key ? state.data : {};
}
