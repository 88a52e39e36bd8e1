// The types of anafanafo (which ships none), for scripts/badge-widths.ts and the tests that
// compare functions/badge/text-width.ts with it. The bundles never take it (infra/bundling.ts).
declare module 'anafanafo' {
  /** The width of `text` in `font`, in pixels; a character it has no width for counts as `m` unless `guess` is false. */
  function measure(text: string, options: { font: string; guess?: boolean }): number;
  export = measure;
}
