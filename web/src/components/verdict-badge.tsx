import type { Verdict } from '../../../client/index.ts';
import { VERDICT_WORDS } from '../view-model.ts';

/** Each verdict's icon: a shape of its own, so that word, shape and colour all tell it. */
function VerdictIcon({ verdict }: { verdict: Verdict }) {
  // The marks inside a shape are drawn by the stylesheet (.verdict-mark).
  const mark = { class: 'verdict-mark' };
  switch (verdict) {
    case 'OPERATIONAL':
      return (
        <>
          <circle cx="8" cy="8" r="8" />
          <path d="M4.5 8.3l2.3 2.3 4.7-4.9" {...mark} />
        </>
      );
    case 'DEGRADED':
      return (
        <>
          <path d="M8 .5l7.7 14.5H.3z" />
          <path d="M8 6v4M8 12.6v.1" {...mark} />
        </>
      );
    case 'PARTIAL_OUTAGE':
      return (
        <>
          <path d="M8 0l8 8-8 8-8-8z" />
          <path d="M8 4.3v4.4M8 11.4v.1" {...mark} />
        </>
      );
    case 'MAJOR_OUTAGE':
      return (
        <>
          <path d="M4.7 0h6.6L16 4.7v6.6L11.3 16H4.7L0 11.3V4.7z" />
          <path d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4" {...mark} />
        </>
      );
    case 'MAINTENANCE':
      return (
        <>
          <rect width="16" height="16" rx="3" />
          <path d="M6 4.5v7M10 4.5v7" {...mark} />
        </>
      );
    default:
      return (
        <>
          <circle cx="8" cy="8" r="6.8" class="verdict-ring" />
          <path d="M5 8h6" {...mark} />
        </>
      );
  }
}

/** A bucket's verdict as word, icon and colour (never colour alone). */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span class={`verdict-word verdict-${verdict.toLowerCase()}`} data-verdict={verdict}>
      <svg class="verdict-icon" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">
        <VerdictIcon verdict={verdict} />
      </svg>
      {VERDICT_WORDS[verdict] ?? verdict}
    </span>
  );
}
