// The types of the part of char-width-table-consumer (anafanafo's measuring code, which ships
// none) that functions/badge/text-width.ts calls.
declare module 'char-width-table-consumer' {
  /** Ranges of code points and their width: `[first, last, width]`, sorted by `first`. */
  export type CharWidthTable = readonly (readonly number[])[];

  export interface CharWidthTableConsumer {
    /** Sum of the characters' widths; a character outside the table counts as `m` unless `guess` is false. */
    widthOf(text: string, options?: { guess?: boolean }): number;
  }

  export function createConsumer(table: CharWidthTable): CharWidthTableConsumer;
}
