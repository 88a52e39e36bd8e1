/** The page's API client: where the API is, and how its errors read on the page. */
import {
  BucketStatusClient,
  type Conditional,
  HttpError,
  isApiErrorBody,
} from '../../client/index.ts';
import type { Me, WorkspaceBucketsPage } from '../../client/types.ts';
import { problemFor } from './view-model.ts';

export type Problem = ReturnType<typeof problemFor>;

/** The API's URL from config.json (deployed); without one, this page's origin (local). */
export async function loadApiUrl(): Promise<string> {
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

const TIMEOUT_MS = 10_000;

/** The page retries on its own every refresh, so the client does not; a 503 shows at once. */
export const createPageClient = (baseUrl: string): BucketStatusClient =>
  new BucketStatusClient({ baseUrl, timeoutMs: TIMEOUT_MS, retry: false });

/** The overview's two reads (DESIGN.md section 14), each revalidated with If-None-Match. */
export interface OverviewReader {
  me(token: string, ifNoneMatch: string | undefined): Promise<Conditional<Me>>;
  buckets(
    token: string,
    workspaceId: string,
    cursor: string | undefined,
    ifNoneMatch: string | undefined,
  ): Promise<Conditional<WorkspaceBucketsPage>>;
}

/** GET `path` with the token, as the client does: 304 unchanged, any other non-2xx an HttpError. */
async function getIfChanged<T>(
  baseUrl: string,
  token: string,
  path: string,
  ifNoneMatch: string | undefined,
): Promise<Conditional<T>> {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  const response = await fetch(url, {
    headers: {
      accept: 'application/json',
      authorization: `Bearer ${token}`,
      ...(ifNoneMatch !== undefined && { 'if-none-match': ifNoneMatch }),
    },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const etag = response.headers.get('etag') ?? undefined;
  if (response.status === 304) return { notModified: true, etag: etag ?? ifNoneMatch ?? '' };
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error
  }
  if (!response.ok || typeof body !== 'object' || body === null) {
    throw new HttpError(response.status, body, response.headers, `GET /${path.split('?')[0]}`);
  }
  return { notModified: false, etag, body: body as T };
}

export const createOverviewReader = (baseUrl: string): OverviewReader => ({
  me: (token, ifNoneMatch) => getIfChanged<Me>(baseUrl, token, 'me', ifNoneMatch),
  buckets: (token, workspaceId, cursor, ifNoneMatch) =>
    getIfChanged<WorkspaceBucketsPage>(
      baseUrl,
      token,
      `workspace/${encodeURIComponent(workspaceId)}/buckets${
        cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`
      }`,
      ifNoneMatch,
    ),
});

export const problemOf = (error: unknown): Problem =>
  error instanceof HttpError
    ? problemFor(error.status, error.retryAfterSeconds)
    : problemFor('network');

/** A route that is not deployed answers API Gateway's own 404 (`{ message: "Not Found" }`). */
export const routeMissing = (error: unknown) =>
  error instanceof HttpError && error.status === 404 && !isApiErrorBody(error.body);
