// What the flow shares across authentication options: paths, the error type, steps, checks.
import { readFileSync } from "node:fs";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Api = Client<paths>;
// Every error response is documented as this component: tsc fails here without it.
export type ErrorBody = components["schemas"]["Error"];

// The paths the flows use, in one place (tsc checks only those a flow calls against the
// bake's schema: the flat notes' or the organizations').
export const PATHS = {
  me: "/api/me/",
  notes: "/api/notes/",
  note: "/api/notes/{id}/",
  organizations: "/api/orgs/",
  organization: "/api/orgs/{slug}/",
  members: "/api/orgs/{slug}/members/",
  invitations: "/api/orgs/{slug}/invitations/",
  invitation: "/api/orgs/{slug}/invitations/{id}/",
  orgNotes: "/api/orgs/{slug}/notes/",
  orgNote: "/api/orgs/{slug}/notes/{id}/",
  keys: "/api/keys/",
  key: "/api/keys/{id}/",
  orgKeys: "/api/orgs/{slug}/keys/",
  orgKey: "/api/orgs/{slug}/keys/{id}/",
  token: "/api/auth/token/",
  refresh: "/api/auth/token/refresh/",
  login: "/api/auth/login/",
  logout: "/api/auth/logout/",
} as const;

export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

export const BASE = env("CLIENT_BASE_URL");
export const USER = env("CLIENT_USER");
export const PASSWORD = env("CLIENT_PASSWORD");

export class FlowFailed extends Error {}

export function fail(message: string): never {
  throw new FlowFailed(message);
}

let current = "start";

export function step(name: string): void {
  current = name;
  console.log(`typescript client: ${name}`);
}

export function currentStep(): string {
  return current;
}

/** The response must have ``status``; ``what`` names the operation for the message. */
export async function expectStatus(what: string, response: Response, status: number): Promise<void> {
  if (response.status !== status) {
    const body = await response.clone().text().catch(() => "");
    fail(`${what}: status ${response.status}, expected ${status}; body ${body.slice(0, 500)}`);
  }
}

/** A refusal: ``status``, and an Error body. The caller passes ``result.error?.detail`` and
 * ``result.error?.code``, so that tsc checks the operation's error type has them. */
export async function expectError(
  what: string,
  response: Response,
  status: number,
  detail: string | undefined,
  code: string | undefined,
): Promise<void> {
  await expectStatus(what, response, status);
  if (typeof detail !== "string" || typeof code !== "string") {
    fail(`${what}: the ${status} body has no string detail and code: ${detail} ${code}`);
  }
}

/** The name (header or cookie) of the schema's apiKey scheme in ``location``. */
export function apiKeyScheme(location: "header" | "cookie", authorization: boolean): string {
  const schema = JSON.parse(readFileSync(env("CLIENT_SCHEMA"), "utf8"));
  const schemes: Record<string, { type?: string; in?: string; name?: string }> =
    schema.components?.securitySchemes ?? {};
  for (const scheme of Object.values(schemes)) {
    const isAuthorization = scheme.name?.toLowerCase() === "authorization";
    if (scheme.type === "apiKey" && scheme.in === location && isAuthorization === authorization) {
      return scheme.name ?? "";
    }
  }
  return fail(`the schema describes no apiKey scheme in the ${location}: ${JSON.stringify(schemes)}`);
}

/** A client that sends nothing but an API key, as the schema's Api-Key scheme says: the
 * scheme listNotes lists and createApiKey (a person's credential only) does not. */
export function keyClient(key: string): Api {
  const schema = JSON.parse(readFileSync(env("CLIENT_SCHEMA"), "utf8"));
  const operations: { operationId?: string; security?: Record<string, string[]>[] }[] = Object.values(
    schema.paths,
  ).flatMap((item) => Object.values(item as object));
  const schemes = (operationId: string): Set<string> =>
    new Set(
      operations
        .filter((operation) => operation.operationId === operationId)
        .flatMap((operation) => (operation.security ?? []).flatMap((need) => Object.keys(need))),
    );
  const refused = schemes("createApiKey");
  const keysOnly = [...schemes("listNotes")].filter((name) => !refused.has(name));
  const scheme = keysOnly.length === 1 ? schema.components.securitySchemes[keysOnly[0] ?? ""] : undefined;
  if (scheme?.type !== "apiKey" || !String(scheme.description).includes("`Api-Key `")) {
    fail(`no single API-key scheme saying the Api-Key prefix: ${keysOnly} ${JSON.stringify(scheme)}`);
  }
  return createClient<paths>({ baseUrl: BASE, headers: { [scheme.name]: `Api-Key ${key}` } });
}

/** An expiry for the flows' API keys: a day from now. */
export function tomorrow(): string {
  return new Date(Date.now() + 24 * 3600 * 1000).toISOString();
}

/** What the flow needs of a logged-in client, whatever the authentication option. */
export interface Credential {
  client: Api;
  logout(): Promise<void>;
  oldCredentialRefused(): Promise<void>;
}
