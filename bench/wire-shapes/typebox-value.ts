// Cold-import probe: the floor plus the ingest and status shapes, checked as the server checks
// a request (functions/wire/check.ts: Check, then Errors on failure; no code generation).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { firstIssue } from '../../functions/wire/check.ts';
import { NodeReport } from '../../functions/wire/ingest.ts';
import { BucketStatusResponse } from '../../functions/wire/status.ts';

export const client = new DynamoDBClient({});
export const checkReport = (value: unknown) => firstIssue(NodeReport, value);
export const checkStatus = (value: unknown) => firstIssue(BucketStatusResponse, value);
