// Cold-import probe: the floor (a DynamoDB client) plus the ingest and status shapes, compiled
// with TypeBox's TypeCompiler at import time.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { NodeReport } from '../../functions/wire/ingest.ts';
import { BucketStatusResponse } from '../../functions/wire/status.ts';

export const client = new DynamoDBClient({});
export const checkReport = TypeCompiler.Compile(NodeReport);
export const checkStatus = TypeCompiler.Compile(BucketStatusResponse);
