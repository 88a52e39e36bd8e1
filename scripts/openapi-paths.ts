/**
 * openapi.yaml's paths, from the route table (functions/route-table.ts), for `npm run wire`:
 * every route is an operation (and every operation a route), with what the table says of it:
 * its operationId and summary, exactly the status codes it answers, the schema of its 200/201
 * body, its query parameters, its path parameters, and on a GET If-None-Match and
 * Accept-Encoding. What the table does not say (the description, each answer's prose and
 * headers, the examples, the request body) is kept as written in openapi.yaml. A route new to
 * the document gets an operation whose answers are those its function's other routes give by
 * reference (`$ref` to components/responses: a public route's 404 is ShareNotFound), else the
 * document's generic ones (BadRequest, InvalidToken, Forbidden, NotFound, ...).
 */
import { isDeepStrictEqual } from 'node:util';
import { type Document, isMap, type YAMLMap } from 'yaml';
import { type QueryParam, ROUTES, type RouteSpec, routeKeyOf } from '../functions/route-table.ts';

type Json = Record<string, unknown>;

/** The answer a status gets when none of the function's other routes gives one by reference. */
const GENERIC_ANSWERS: Record<string, string> = {
  '304': 'NotModified',
  '400': 'BadRequest',
  '401': 'InvalidToken',
  '403': 'Forbidden',
  '404': 'NotFound',
  '406': 'NeedsGzip',
  '500': 'InternalError',
  '503': 'Unavailable',
};

const CONDITIONAL_GET = ['IfNoneMatch', 'AcceptEncoding'];

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });

/** The names of a path's parameters, in order. */
export const pathNames = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

function queryParameter(name: string, param: QueryParam): Json {
  return {
    name,
    in: 'query',
    required: false,
    ...(param.description !== undefined && { description: param.description }),
    ...(param.schema.type === 'array' && { style: 'form', explode: true }),
    schema: param.schema,
  };
}

/** The route table's routes, or a test's own table (with a route new to the document). */
export type RouteList = readonly RouteSpec[];

/** `routes` made the paths of `doc` (openapi.yaml, parsed), in place. */
export function writePaths(doc: Document, routes: RouteList = ROUTES): void {
  /** The other routes of the same function, those of the same method first. */
  const siblingsOf = (route: RouteSpec) => {
    const same = routes.filter((r) => r.function === route.function && r !== route);
    return [
      ...same.filter((r) => r.method === route.method),
      ...same.filter((r) => r.method !== route.method),
    ];
  };
  const plain = doc.toJS() as {
    paths: Record<string, Record<string, Json>>;
    components: { parameters?: Record<string, Json> };
  };
  const parameters = plain.components.parameters ?? {};
  const operationOf = (route: RouteSpec) => plain.paths[route.path]?.[route.method.toLowerCase()];

  const nameOf = (param: Json) => {
    const target =
      typeof param.$ref === 'string' ? parameters[param.$ref.split('/').pop() as string] : param;
    return { name: target?.name, in: target?.in };
  };

  function pathParameter(name: string): Json {
    const component = Object.entries(parameters).find(
      ([, p]) => p.name === name && p.in === 'path',
    );
    if (component !== undefined) return ref('parameters', component[0]);
    return {
      name,
      in: 'path',
      required: true,
      description: `The ${name.replace(/Id$/, '')}'s id.`,
      schema: ref('schemas', 'Id'),
    };
  }

  function parametersOf(route: RouteSpec, current: Json[]): Json[] {
    const path = pathNames(route.path).map(
      (name) =>
        current.find((p) => nameOf(p).in === 'path' && nameOf(p).name === name) ??
        pathParameter(name),
    );
    const query = Object.entries(route.query ?? {}).map(([name, q]) => queryParameter(name, q));
    const others = current.filter((p) => nameOf(p).in !== 'path' && nameOf(p).in !== 'query');
    if (route.method === 'GET') {
      for (const name of CONDITIONAL_GET) {
        if (!others.some((p) => p.$ref === ref('parameters', name).$ref)) {
          others.push(ref('parameters', name));
        }
      }
    }
    return [...path, ...query, ...others];
  }

  function bodyOf(route: RouteSpec): Json | undefined {
    if (route.response !== undefined) {
      return { 'application/json': { schema: ref('schemas', route.response) } };
    }
    if (route.text !== undefined) return { [route.text]: { schema: { type: 'string' } } };
    return undefined;
  }

  function newAnswer(route: RouteSpec, status: string): Json {
    const siblings = siblingsOf(route).map(operationOf);
    if (status.startsWith('2')) {
      const headers = siblings
        .flatMap((op) => Object.entries((op?.responses ?? {}) as Record<string, Json>))
        .find(([s, answer]) => s === status && answer.headers !== undefined)?.[1].headers;
      const content = status === '204' ? undefined : bodyOf(route);
      return {
        description: route.summary,
        ...(headers !== undefined && { headers }),
        ...(content !== undefined && { content }),
      };
    }
    for (const op of siblings) {
      const answer = (op?.responses as Record<string, Json> | undefined)?.[status];
      if (typeof answer?.$ref === 'string') return { $ref: answer.$ref };
    }
    const generic = GENERIC_ANSWERS[status];
    if (generic === undefined) {
      throw new Error(
        `${routeKeyOf(route)}: no answer to copy for ${status}; write it in openapi.yaml`,
      );
    }
    return ref('responses', generic);
  }

  /** The answer as the table has it: the 200/201 body's schema is the table's. */
  function withBody(route: RouteSpec, status: string, answer: Json): Json {
    const content = answer.content as Record<string, Json> | undefined;
    if ((status !== '200' && status !== '201') || content === undefined) return answer;
    if (route.response === undefined) return answer;
    const json = content['application/json'];
    return {
      ...answer,
      content: { 'application/json': { ...json, schema: ref('schemas', route.response) } },
    };
  }

  function newOperation(route: RouteSpec): Json {
    const sibling = siblingsOf(route)
      .map(operationOf)
      .find((op) => op !== undefined);
    return {
      operationId: route.operationId,
      tags: sibling?.tags ?? [route.function],
      summary: route.summary,
      security: sibling?.security ?? [{ bearerAuth: [] }],
      parameters: [],
      responses: {},
    };
  }

  const paths = doc.get('paths') as YAMLMap;
  const keys = new Set(routes.map((route) => routeKeyOf(route)));
  for (const [path, item] of Object.entries(plain.paths)) {
    for (const method of Object.keys(item)) {
      if (keys.has(routeKeyOf({ method: method.toUpperCase(), path }))) continue;
      doc.deleteIn(['paths', path, method]);
    }
    if ((paths.get(path) as YAMLMap | undefined)?.items.length === 0) paths.delete(path);
  }

  for (const route of routes) {
    const method = route.method.toLowerCase();
    if (!isMap(paths.get(route.path))) paths.set(route.path, doc.createNode({}));
    const current = operationOf(route);
    const operation = current ?? newOperation(route);
    const next: Json = {
      ...operation,
      operationId: route.operationId,
      summary: route.summary,
    };
    const params = parametersOf(route, (operation.parameters as Json[] | undefined) ?? []);
    if (params.length > 0 || operation.parameters !== undefined) next.parameters = params;
    const answers = (operation.responses ?? {}) as Record<string, Json>;
    const responses: Record<string, Json> = {};
    for (const [status, answer] of Object.entries(answers)) {
      if ((route.answers as readonly string[]).includes(status)) {
        responses[status] = withBody(route, status, answer);
      }
    }
    for (const status of route.answers) {
      responses[status] ??= withBody(route, status, newAnswer(route, status));
    }
    next.responses = responses;

    if (current === undefined) {
      const node = doc.createNode(next) as YAMLMap;
      const tags = node.get('tags', true);
      if (tags !== undefined && typeof tags === 'object') (tags as { flow?: boolean }).flow = true;
      doc.setIn(['paths', route.path, method], node);
      continue;
    }
    // Only what differs is written, so the rest keeps its layout.
    for (const [key, value] of Object.entries(next)) {
      if (key === 'responses') continue;
      if (!isDeepStrictEqual(current[key], value)) {
        doc.setIn(['paths', route.path, method, key], doc.createNode(value));
      }
    }
    for (const status of Object.keys(answers)) {
      if (!(status in responses)) doc.deleteIn(['paths', route.path, method, 'responses', status]);
    }
    for (const [status, answer] of Object.entries(responses)) {
      if (!isDeepStrictEqual(answers[status], answer)) {
        doc.setIn(['paths', route.path, method, 'responses', status], doc.createNode(answer));
      }
    }
  }
}
