import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * openapi.yaml as an executable contract: every response a test sees can be checked against
 * the documented status codes, headers and body schemas (JSON Schema 2020-12, via Ajv).
 */

export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));
const DOC_ID = 'https://bucket-status.local/openapi.yaml';

type Json = Record<string, unknown>;

export interface OpenApiDocument extends Json {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: Json;
}

export const loadOpenApi = (): OpenApiDocument =>
  parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The keywords of an OpenAPI document and its objects that are not JSON Schema keywords. */
const OPENAPI_KEYWORDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];

export interface ObservedResponse {
  method: string;
  /** The request path (e.g. /bucket/abc/status); mapped onto the documented path template. */
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ');

/** JSON pointer parts (unescaped) to a URI fragment. */
const fragmentOf = (parts: string[]) =>
  parts
    .map((part) => `/${encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))}`)
    .join('');

export function createContract(doc: OpenApiDocument = loadOpenApi()) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(OPENAPI_KEYWORDS);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const validators = new Map<string, ValidateFunction>();

  /** A validator for the schema at this location of openapi.yaml. */
  const validatorAt = (parts: string[]): ValidateFunction => {
    const fragment = fragmentOf(parts);
    let validate = validators.get(fragment);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${DOC_ID}#${fragment}` });
      validators.set(fragment, validate);
    }
    return validate;
  };

  /** Follows a local $ref; returns the object and where it lives. */
  const resolve = (value: Json, at: string[]): { node: Json; at: string[] } => {
    const ref = value.$ref;
    if (typeof ref !== 'string') return { node: value, at };
    const parts = ref
      .replace(/^#\//, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
    let node: unknown = doc;
    for (const part of parts) node = (node as Json)[part];
    return { node: node as Json, at: parts };
  };

  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));

  /** The documented path template a request path falls under, if any. */
  const templateOf = (path: string) =>
    templates.find(({ regex }) => regex.test(path.split('?')[0] as string))?.template;

  /** Validator for a schema component, e.g. `Error`. */
  const schema = (name: string) => validatorAt(['components', 'schemas', name]);

  /** Throws a ContractViolation unless the response is one openapi.yaml documents. */
  function assertResponse(observed: ObservedResponse): void {
    const where = `${observed.method} ${observed.path} -> ${observed.status}`;
    const template = templateOf(observed.path);
    if (template === undefined) throw new ContractViolation(`${where}: path not documented`);
    const method = observed.method.toLowerCase();
    const operation = doc.paths[template]?.[method];
    if (operation === undefined) throw new ContractViolation(`${where}: method not documented`);
    const responses = operation.responses as Record<string, Json>;
    const key = String(observed.status) in responses ? String(observed.status) : 'default';
    const documented = responses[key];
    if (documented === undefined) {
      throw new ContractViolation(`${where}: status not documented for ${method} ${template}`);
    }
    const response = resolve(documented, ['paths', template, method, 'responses', key]);

    const headers = (response.node.headers ?? {}) as Record<string, Json>;
    for (const [name, header] of Object.entries(headers)) {
      const spec = resolve(header, [...response.at, 'headers', name]);
      const value = observed.headers.get(name);
      if (value === null) {
        if (spec.node.required === true) {
          throw new ContractViolation(`${where}: required header ${name} is missing`);
        }
        continue;
      }
      if (spec.node.schema === undefined) continue;
      const validate = validatorAt([...spec.at, 'schema']);
      if (!validate(value)) {
        throw new ContractViolation(
          `${where}: header ${name}: "${value}" ${describeErrors(validate.errors)}`,
        );
      }
    }

    const content = response.node.content as Record<string, Json> | undefined;
    if (content === undefined) return;
    const contentType = observed.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    if (!(contentType in content)) {
      throw new ContractViolation(`${where}: content-type "${contentType}" not documented`);
    }
    const validate = validatorAt([...response.at, 'content', contentType, 'schema']);
    if (!validate(observed.body)) {
      throw new ContractViolation(
        `${where}: body ${JSON.stringify(observed.body)}: ${describeErrors(validate.errors)}`,
      );
    }
  }

  return { doc, ajv, schema, templateOf, assertResponse };
}

export type Contract = ReturnType<typeof createContract>;
