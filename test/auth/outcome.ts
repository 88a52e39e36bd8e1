import { errorResponse } from '../../functions/http/response.ts';

/** What the client would see for an error: mapped by the one error-to-HTTP mapping. */
export interface Refusal {
  status: number;
  message: string;
  challenge: string | undefined;
  retryAfter: string | undefined;
}

export function asRefusal(error: unknown): Refusal {
  const response = errorResponse(error);
  return {
    status: response.statusCode,
    message: (JSON.parse(response.body) as { message: string }).message,
    challenge: response.headers['www-authenticate'],
    retryAfter: response.headers['retry-after'],
  };
}

/** The refusal a promise ends in; fails the test when it resolves. */
export async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    return asRefusal(error);
  }
  throw new Error('expected a refusal, got a value');
}

/** The refusal a call ends in; fails the test when it returns. */
export function refusalOfCall(call: () => unknown): Refusal {
  try {
    call();
  } catch (error) {
    return asRefusal(error);
  }
  throw new Error('expected a refusal, got a value');
}
