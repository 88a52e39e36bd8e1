// Measurement variant, not shipped: the status function as if it used Powertools Tracer (the
// X-Ray SDK) instead of functions/shared/tracing.ts, its DynamoDB client captured. The cold-import
// benchmark reports it beside the real bundles (docs/evidence/performance.md, "Metrics and
// tracing at cold import").
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import '../../functions/status/handler.ts';

const tracer = new Tracer({ serviceName: 'bucket-status' });
export const client = tracer.captureAWSv3Client(new DynamoDBClient({}));
