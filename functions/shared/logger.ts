import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger per function. Service name and level come from the Powertools
 * environment (POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL) that the stack sets.
 */
export const createLogger = (serviceName: string) =>
  new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
