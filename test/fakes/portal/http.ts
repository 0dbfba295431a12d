import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { AgentEvent, FakeUser } from './model.js';
import { describeIssues } from './wire-schemas.js';

/** Route plumbing shared by the fake portal's two generations. */

/** A refusal: its status, and the words the error body carries (`Message`, or Gen B's `message`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a route answers. */
export type Reply =
  /** JSON-serialised (a string becomes a JSON string); absent → empty body. */
  | { readonly status: number; readonly json?: unknown }
  /** Server-sent events (docs §5.2), paced and possibly cut by an injected fault. */
  | { readonly status: 200; readonly events: readonly AgentEvent[] };

export interface RequestContext {
  readonly user: FakeUser;
  readonly rawBody: string;
  readonly contentType: string;
  readonly accept: string;
  /** The query string, decoded (`filters[name]` stays one key). */
  readonly query: Readonly<Record<string, string>>;
}

export type Params = Readonly<Record<string, string>>;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: (context: RequestContext, params: Params) => Reply | Promise<Reply>;
}

export const ok = (json: unknown): Reply => ({ status: 200, json });

/** The JSON body, checked against `schema`: 415 unless application/json, 400 when empty, malformed or invalid. */
export const parseBody = <T extends z.ZodType>(context: RequestContext, schema: T): z.output<T> => {
  if (!/^application\/json\b/i.test(context.contentType.trim())) {
    throw new HttpError(415, 'Content-Type must be application/json');
  }
  if (context.rawBody.trim() === '') throw new HttpError(400, 'A JSON body is required');
  let json: unknown;
  try {
    json = JSON.parse(context.rawBody);
  } catch {
    throw new HttpError(400, 'Malformed JSON body');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, `Invalid request body: ${describeIssues(parsed.error)}`);
  return parsed.data;
};

export const isAdmin = (user: FakeUser): boolean => user.roles.some((role) => role.toLowerCase() === 'administrator');

export const requireAdmin = (user: FakeUser): void => {
  if (!isAdmin(user)) throw new HttpError(403, 'Forbidden');
};

/** A new Mongo-ObjectId-like id (Gen B workspaces, agents, tickets): 24 lower-case hex digits. */
export const objectId = (): string => randomBytes(12).toString('hex');
