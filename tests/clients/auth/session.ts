// authentication=session: GET /api/auth/login/ for the CSRF token, POST username and password
// with it in the CSRF header; then the session cookie, and the header, on every request. The
// cookie and header names are the schema's security schemes'.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema.js";
import { apiKeyScheme, BASE, type Credential, expectError, expectStatus, fail, PASSWORD, PATHS, USER } from "./common.js";

/** A client that keeps the cookies it is sent and sends them back, with the CSRF header. */
function sessionClient(jar: Map<string, string>, csrf: { header: string; token: string }) {
  const cookies: Middleware = {
    onRequest({ request }) {
      if (jar.size) request.headers.set("Cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
      if (csrf.token) request.headers.set(csrf.header, csrf.token);
      return request;
    },
    onResponse({ response }) {
      for (const cookie of response.headers.getSetCookie()) {
        const [pair = ""] = cookie.split(";");
        const at = pair.indexOf("=");
        const name = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
        if (value === "" || /max-age=0/i.test(cookie)) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    },
  };
  const client = createClient<paths>({ baseUrl: BASE });
  client.use(cookies);
  return client;
}

export async function logIn(): Promise<Credential> {
  const sessionCookie = apiKeyScheme("cookie", false);
  const csrf = { header: apiKeyScheme("header", false), token: "" };
  const jar = new Map<string, string>();
  const client = sessionClient(jar, csrf);

  const form = await client.GET(PATHS.login);
  await expectStatus("getCsrfToken", form.response, 200);
  if (!form.data?.csrftoken) fail(`GET ${PATHS.login} answered ${JSON.stringify(form.data)}`);
  csrf.token = form.data.csrftoken;
  const login = await client.POST(PATHS.login, { body: { username: USER, password: PASSWORD } });
  await expectStatus("login", login.response, 200);
  if (!login.data?.csrftoken) fail(`login answered ${JSON.stringify(login.data)}`);
  csrf.token = login.data.csrftoken; // Django rotates it at login
  if (!jar.has(sessionCookie)) fail(`no ${sessionCookie} cookie after login: ${[...jar.keys()]}`);
  const before = new Map(jar);
  return {
    client,
    async logout() {
      const { response } = await client.POST(PATHS.logout);
      await expectStatus("logout", response, 204);
    },
    async oldCredentialRefused() {
      // The session ended on the server: the cookies from before the logout, sent again.
      const old = sessionClient(before, { ...csrf });
      const { error, response } = await old.GET(PATHS.me);
      await expectError("getMe", response, 403, error?.detail, error?.code);
    },
  };
}
