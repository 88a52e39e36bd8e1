// The cold-start floor: a bundle that only creates a DynamoDB client, built exactly like the
// functions. Everything a handler bundle costs above this is ours (or our other dependencies').
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const client = new DynamoDBClient({});
