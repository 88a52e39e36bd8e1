/** A request's signal, and `clear()` to call once the request is over (in a `finally`). */
export interface TimedSignal {
  signal: AbortSignal;
  clear(): void;
}

/**
 * A signal that aborts when `signal` does (with its reason), or after `timeoutMs` with a
 * DOMException named TimeoutError. A plain timer and controller, not AbortSignal.timeout and
 * AbortSignal.any: on Node 20 a signal combined by AbortSignal.any stops firing once a garbage
 * collection has run. The pending timer holds the controller, so nothing here is only weakly
 * reachable; `clear()` stops the timer and removes the listener from the caller's long-lived
 * signal. Used by the client and by the reporter (reporter/transport.ts).
 */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): TimedSignal {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  const timer = setTimeout(() => {
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
