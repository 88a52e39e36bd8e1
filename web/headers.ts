/**
 * The status page's own response headers, one definition for the local runtime and the
 * CloudFront response headers policy: scripts and styles from the page's origin only, no inline
 * script, no framing, API calls to the page's origin and the API's.
 */
export function pageContentSecurityPolicy(apiOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${["'self'", ...apiOrigins].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function pageHeaders(apiOrigins: readonly string[] = []): Record<string, string> {
  return {
    'content-security-policy': pageContentSecurityPolicy(apiOrigins),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    // Revalidate every load: a new deployment shows at once.
    'cache-control': 'no-cache',
  };
}

export const PAGE_CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json',
};

export const contentTypeOf = (name: string): string =>
  PAGE_CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
