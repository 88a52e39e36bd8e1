import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Minimal typed readers for the few scalar attributes this table holds. Cheaper on the hot
 * read path than a general unmarshaller, and absent or mistyped attributes read as undefined.
 */
export type Item = Record<string, AttributeValue>;

export const readString = (item: Item, name: string): string | undefined => item[name]?.S;

/** A number attribute; undefined when absent, not a number attribute, or not finite. */
export const readNumber = (item: Item, name: string): number | undefined => {
  // Number(undefined) is NaN: an absent or non-N attribute fails the finiteness check too.
  const n = Number(item[name]?.N);
  return Number.isFinite(n) ? n : undefined;
};

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
