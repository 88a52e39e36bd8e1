/** The page's API client: where the API is, and how its errors read on the page. */
import { BucketStatusClient, HttpError, isApiErrorBody } from '../../client/index.ts';
import { problemFor } from './view-model.ts';

export type Problem = ReturnType<typeof problemFor>;

/** The API's URL from config.json (deployed); without one, this page's origin (local). */
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

/** The page retries on its own every refresh, so the client does not; a 503 shows at once. */
export const createPageClient = async (): Promise<BucketStatusClient> =>
  new BucketStatusClient({ baseUrl: await loadApiUrl(), timeoutMs: 10_000, retry: false });

export const problemOf = (error: unknown): Problem =>
  error instanceof HttpError
    ? problemFor(error.status, error.retryAfterSeconds)
    : problemFor('network');

/** A route that is not deployed answers API Gateway's own 404 (`{ message: "Not Found" }`). */
export const routeMissing = (error: unknown) =>
  error instanceof HttpError && error.status === 404 && !isApiErrorBody(error.body);
