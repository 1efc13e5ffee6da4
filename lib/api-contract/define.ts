// A REST route's contract: method, path, parameters, bodies, responses, scope and error codes, in
// one object built from the zod schemas that validate the request (lib/**/schemas.ts) and type the
// response. The route handler is wrapped with it (app/api/_lib/with-api-token.ts), the OpenAPI
// document is generated from all of them (lib/api-contract/openapi.ts), and
// tests/unit/api-contract/coverage.test.ts fails for a route under app/api/v1 that has none.
import type { z } from 'zod';
import type { TokenScope } from '../tokens';
import type { ApiErrorCode } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseHeaderSpec {
  description: string;
  schema: z.ZodType;
  /** Whether every such answer carries it (OpenAPI `required`); false for one sometimes absent. @default true */
  required?: boolean;
}

export interface ResponseSpec {
  description: string;
  /** The body; absent for an empty body (204). */
  schema?: z.ZodType;
  /** @default 'application/json' */
  contentType?: string;
  /** Further media types the same answer may come in (e.g. NDJSON beside SSE). */
  otherContent?: Record<string, z.ZodType>;
  headers?: Record<string, ResponseHeaderSpec>;
}

export interface RouteContract {
  method: HttpMethod;
  /** The OpenAPI path template: `/api/v1/feeds/{slug}` for app/api/v1/feeds/[slug]/route.ts. */
  path: `/api/${string}`;
  operationId: string;
  summary: string;
  /** Markdown. */
  description?: string;
  tags: readonly string[];
  /** The token scope the route needs (Bearer token); null for a public route. */
  scope: TokenScope | null;
  /** Token routes answer X-RateLimit-* headers (the plan's requests per minute). @default true when scope is set */
  rateLimitHeaders?: boolean;
  /** Path parameters, one property each (documented; lib validates their meaning). */
  params?: z.ZodObject;
  /** Query parameters: the schema lib validates the query with. */
  query?: z.ZodObject;
  /** Request headers the route reads (beyond Authorization). */
  headers?: z.ZodObject;
  /** Request bodies by media type: the schemas lib validates them with. */
  body?: { required?: boolean; description?: string; content: Record<string, z.ZodType> };
  /** Answers other than errors, by status. */
  responses: Partial<Record<200 | 201 | 202 | 204 | 206 | 304, ResponseSpec>>;
  /** Error codes this route answers besides the edge's and the token wrapper's (lib/api-contract/errors.ts). */
  errors: readonly ApiErrorCode[];
}

/** Declares a route contract (identity at run time; keeps the literal types for typed replies). */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

/** Statuses a contract answers with a body or without (not errors). */
export type SuccessStatus<C extends RouteContract> = Extract<keyof C['responses'], number>;

/** The body type of a contract's answer with this status (`null` when it has none). */
export type ReplyBody<C extends RouteContract, S extends SuccessStatus<C>> = C['responses'][S] extends { schema: infer T extends z.ZodType }
  ? z.input<T>
  : null;

/**
 * Compile-time equality of two types: `assertSameType<z.output<typeof feedSchema>, FeedView>(true)`
 * in a contract fails typecheck when lib's type and the documented schema drift apart.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
export function assertSameType<A, B>(ok: SameType<Flat<A>, Flat<B>>): void {
  void ok;
}
