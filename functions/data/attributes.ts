import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * Minimal typed readers for the few scalar attributes this table holds. Cheaper on the hot
 * read path than a general unmarshaller, and absent or mistyped attributes read as undefined.
 */
export type Item = Record<string, AttributeValue>;

export const readString = (item: Item, name: string): string | undefined => {
  const value = item[name];
  return value !== undefined && 'S' in value ? value.S : undefined;
};

export const readNumber = (item: Item, name: string): number | undefined => {
  const value = item[name];
  if (value === undefined || !('N' in value) || value.N === undefined) return undefined;
  const n = Number(value.N);
  return Number.isFinite(n) ? n : undefined;
};

export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
