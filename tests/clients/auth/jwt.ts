// authentication=jwt: POST /api/auth/token/ -> {"access", "refresh"}; Authorization: Bearer
// <access>; POST {"refresh"} to /api/auth/token/refresh/ for a new pair, to /api/auth/logout/ to end it.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";
import { BASE, type Credential, expectError, expectStatus, fail, PASSWORD, PATHS, step, USER } from "./common.js";

export async function logIn(): Promise<Credential> {
  const anonymous = createClient<paths>({ baseUrl: BASE });
  const login = await anonymous.POST(PATHS.token, { body: { username: USER, password: PASSWORD } });
  await expectStatus("login", login.response, 200);
  if (!login.data?.access || !login.data.refresh) fail(`login answered ${JSON.stringify(login.data)}`);

  step("refresh the JWT pair");
  const pair = await anonymous.POST(PATHS.refresh, { body: { refresh: login.data.refresh } });
  await expectStatus("refreshToken", pair.response, 200);
  if (!pair.data?.access || pair.data.refresh === login.data.refresh) {
    fail(`refresh answered ${JSON.stringify(pair.data)}`);
  }
  const refresh = pair.data.refresh;
  const client = createClient<paths>({ baseUrl: BASE, headers: { Authorization: `Bearer ${pair.data.access}` } });
  return {
    client,
    async logout() {
      const { response } = await anonymous.POST(PATHS.logout, { body: { refresh } });
      await expectStatus("logout", response, 204);
    },
    async oldCredentialRefused() {
      const { error, response } = await anonymous.POST(PATHS.refresh, { body: { refresh } });
      await expectError("refreshToken", response, 401, error?.detail, error?.code);
    },
  };
}
