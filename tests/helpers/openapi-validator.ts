// Checks real HTTP answers against the generated OpenAPI document (ajv, JSON Schema 2020-12): the
// status must be one the operation declares, the body must match its schema (errors: one of the
// codes listed for that status), and the declared headers (X-RateLimit-*, Retry-After) must be
// there. Records which operation answered which statuses, so a test can require good and bad input
// for every route.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { buildOpenApiDocument } from '@/lib/api-contract/openapi';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { headers?: Record<string, Json>; content?: Record<string, { schema: Json }> }>;
}

export class OpenApiValidator {
  readonly doc = buildOpenApiDocument() as unknown as { paths: Record<string, Record<string, Operation>>; components: Json };
  /** operationId → statuses seen. */
  readonly seen = new Map<string, Set<number>>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    addFormats.default(this.ajv);
  }

  operation(method: string, pathTemplate: string): Operation {
    const op = this.doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!op) throw new Error(`the OpenAPI document has no ${method} ${pathTemplate}`);
    return op;
  }

  private headerRequired(declared: Json): boolean {
    const ref = (declared as { $ref?: string }).$ref;
    const header = ref ? (this.doc.components as { headers: Record<string, Json> }).headers[ref.split('/').pop()!] : declared;
    return (header as { required?: boolean }).required === true;
  }

  /**
   * Reads the answer and checks it against the operation; returns the parsed body (JSON) or text.
   * Throws with what disagrees.
   */
  async check(res: Response, method: string, pathTemplate: string): Promise<unknown> {
    const op = this.operation(method, pathTemplate);
    const where = `${method} ${pathTemplate} → ${res.status}`;
    const text = await res.text();
    const response = op.responses[String(res.status)];
    if (!response) throw new Error(`${where}: status not in the document (declared: ${Object.keys(op.responses).join(', ')}); body ${text.slice(0, 300)}`);
    (this.seen.get(op.operationId) ?? this.seen.set(op.operationId, new Set()).get(op.operationId)!).add(res.status);
    for (const [name, declared] of Object.entries(response.headers ?? {})) {
      // The document says which headers every such answer carries (`required`), directly or by $ref.
      if (this.headerRequired(declared) && res.headers.get(name) === null) throw new Error(`${where}: header ${name} is declared required but missing`);
    }
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    if (!response.content) {
      if (text.length) throw new Error(`${where}: a body where the document declares none`);
      return null;
    }
    // A declared media type may carry parameters (application/stix+json;version=2.1): match on the type.
    const mediaKey = Object.keys(response.content).find((key) => key.split(';')[0].trim() === contentType);
    const media = mediaKey === undefined ? undefined : response.content[mediaKey];
    if (!media) throw new Error(`${where}: content-type ${contentType || '(none)'} not declared (${Object.keys(response.content).join(', ')})`);
    if (contentType !== 'application/json') return text;
    const body = JSON.parse(text) as unknown;
    const key = `${op.operationId} ${res.status} ${contentType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ ...media.schema, components: this.doc.components });
      this.compiled.set(key, validate);
    }
    if (!validate(body)) {
      throw new Error(`${where}: the body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
    }
    return body;
  }
}
