// Cold-import probe: the floor plus the ingest and status shapes, checked with TypeBox's value
// checker (`Check`, then `Errors` on failure; no code generation). The functions check request
// bodies with functions/wire/issues.ts instead (docs/evidence/wire-shapes.md).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TSchema } from '@sinclair/typebox';
import { Errors } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { NodeReport } from '../../functions/wire/ingest.ts';
import { BucketStatusResponse } from '../../functions/wire/status.ts';

const firstError = (schema: TSchema, value: unknown) =>
  Check(schema, value) ? undefined : Errors(schema, value).First();

export const client = new DynamoDBClient({});
export const checkReport = (value: unknown) => firstError(NodeReport, value);
export const checkStatus = (value: unknown) => firstError(BucketStatusResponse, value);
