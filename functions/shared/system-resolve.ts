import { lookup } from 'node:dns/promises';
import type { ResolveHost } from '../domain/webhook-url.ts';

/** The system resolver: every address of both families, in the order it answers. */
export const systemResolve: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));
