/**
 * Wire shapes shared by several routes. Each shape of the API is defined once, in this folder,
 * with TypeBox (JSON Schema): request validation, the server's types (`Static<typeof X>`), the
 * client's types (client/types.ts) and openapi.yaml's components/schemas (both written by
 * `npm run wire`) all follow from it. docs/ARCHITECTURE.md, "Wire shapes".
 */
import type { Static } from '@sinclair/typebox';
// A namespace import, not TypeBox's `Type` object: a bundle keeps only the builders used.
import * as Type from '@sinclair/typebox';
import { ID_PATTERN } from './id-pattern.ts';

export const Id = Type.String({ pattern: ID_PATTERN.source });

export const NodeState = Type.Union([
  Type.Literal('ONLINE'),
  Type.Literal('OFFLINE'),
  Type.Literal('DISCONNECTED'),
]);
export type NodeState = Static<typeof NodeState>;

/** An address as stored and shown: IPv4 or IPv6 literal. */
export const IpAddress = Type.Union([
  Type.String({ format: 'ipv4' }),
  Type.String({ format: 'ipv6' }),
]);

export const Region = Type.String({ pattern: '^[a-z0-9-]{1,64}$' });

export const DateTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description !== undefined && { description }) });
export const Day = Type.String({ format: 'date' });

/** The body of every error the API itself returns. */
export const ApiErrorBody = Type.Object(
  { success: Type.Literal(false), message: Type.String({ minLength: 1 }) },
  { additionalProperties: false, description: 'Every error the API returns.' },
);
export type ApiErrorBody = Static<typeof ApiErrorBody>;

/** API Gateway's own error body (not produced by the API's functions). */
export const GatewayError = Type.Object(
  { message: Type.String() },
  {
    additionalProperties: false,
    description: "API Gateway's own error body (not produced by the API's functions).",
  },
);
