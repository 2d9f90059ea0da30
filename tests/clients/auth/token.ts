// authentication=token: POST /api/auth/token/ -> {"token", "expiry"}; Authorization: Token <t>.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";
import { BASE, type Credential, expectError, expectStatus, fail, PASSWORD, PATHS, USER } from "./common.js";

export async function logIn(): Promise<Credential> {
  const anonymous = createClient<paths>({ baseUrl: BASE });
  const login = await anonymous.POST(PATHS.token, { body: { username: USER, password: PASSWORD } });
  await expectStatus("login", login.response, 200);
  if (!login.data?.token || !login.data.expiry) fail(`login answered ${JSON.stringify(login.data)}`);
  const header = "Authorization";
  const client = createClient<paths>({ baseUrl: BASE, headers: { [header]: `Token ${login.data.token}` } });
  return {
    client,
    async logout() {
      const { response } = await client.POST(PATHS.logout);
      await expectStatus("logout", response, 204);
    },
    async oldCredentialRefused() {
      const { error, response } = await client.GET(PATHS.me);
      await expectError("getMe", response, 401, error?.detail, error?.code);
    },
  };
}
