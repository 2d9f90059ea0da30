// A client's whole day through openapi-fetch, typed by the types openapi-typescript generated
// from a baked service's /api/schema/ (schema.ts) and checked by tsc --strict.
//
// tests/test_clients.py copies this file, common.ts and auth/<option>.ts (as auth.ts) next to
// the bake's schema.ts, compiles them with tsc and runs flow.js with node, the service's
// address and two users in CLIENT_* variables. Each step prints one line; the first that
// fails exits non-zero with the step's name and what the service answered.
import { logIn } from "./auth.js";
import {
  currentStep,
  env,
  expectError,
  expectStatus,
  fail,
  FlowFailed,
  keyClient,
  PATHS,
  step,
  tomorrow,
  USER,
} from "./common.js";

const OBJECT_ACCESS = env("CLIENT_OBJECT_ACCESS");
const OTHER_USER = env("CLIENT_OTHER_USER");
const OTHER_NOTE = Number(env("CLIENT_OTHER_NOTE"));
const PAGE_SIZE = 2;
const NOTES = 5; // three pages of PAGE_SIZE

async function flow(): Promise<void> {
  step("log in");
  const credential = await logIn();
  const client = credential.client;

  step("read /api/me/");
  const me = await client.GET(PATHS.me);
  await expectStatus("getMe", me.response, 200);
  if (me.data?.username !== USER) fail(`/api/me/ says ${JSON.stringify(me.data)}`);

  step(`create ${NOTES} notes`);
  const created: number[] = [];
  for (let number = 0; number < NOTES; number++) {
    const note = await client.POST(PATHS.notes, { body: { title: `ts ${number}`, body: "b" } });
    await expectStatus("createNote", note.response, 201);
    if (note.data?.owner !== USER) fail(`created ${JSON.stringify(note.data)}`);
    created.push(note.data.id);
  }

  step(`follow every page's next (page_size=${PAGE_SIZE})`);
  const seen: { id: number; owner: string }[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await client.GET(PATHS.notes, { params: { query: { page_size: PAGE_SIZE, cursor } } });
    await expectStatus("listNotes", page.response, 200);
    if (!page.data) return fail("listNotes: no page");
    pages += 1;
    if (page.data.results.length > PAGE_SIZE) fail(`page ${pages} has ${page.data.results.length} notes`);
    seen.push(...page.data.results.map((note) => ({ id: note.id, owner: note.owner })));
    if (!page.data.next) break;
    cursor = new URL(page.data.next).searchParams.get("cursor") ?? fail(`no cursor in ${page.data.next}`);
    if (pages > 100) fail("more than 100 pages");
  }
  const ids = seen.map((note) => note.id);
  if (new Set(ids).size !== ids.length || !created.every((id) => ids.includes(id)) || pages < 3) {
    fail(`${pages} pages of ${ids}, created ${created}`);
  }
  const owners = new Set(seen.map((note) => note.owner));
  if (OBJECT_ACCESS === "owner_only" && (owners.size !== 1 || !owners.has(USER))) {
    fail(`owner_only, yet the list shows notes of ${[...owners]}`);
  }
  if (OBJECT_ACCESS === "owner_or_read_only" && !ids.includes(OTHER_NOTE)) {
    fail(`owner_or_read_only, yet ${OTHER_USER}'s note ${OTHER_NOTE} is not listed`);
  }

  step("create an API key that may read notes");
  const made = await client.POST(PATHS.keys, {
    body: { name: "TypeScript flow", scopes: ["notes:read"], expires_at: tomorrow() },
  });
  await expectStatus("createApiKey", made.response, 201);
  if (!made.data?.key) return fail(`createApiKey answered ${JSON.stringify(made.data)}`);
  const key = { id: made.data.id, client: keyClient(made.data.key) };

  step("list the notes with the key alone");
  const newest = await key.client.GET(PATHS.notes, { params: { query: { page_size: PAGE_SIZE } } });
  await expectStatus("listNotes", newest.response, 200);
  if (newest.data?.results[0]?.id !== created.at(-1)) fail(`the key lists ${JSON.stringify(newest.data)}`);
  const write = await key.client.POST(PATHS.notes, { body: { title: "from a key", body: "" } });
  await expectError("createNote", write.response, 403, write.error?.detail, write.error?.code);

  step("revoke the key; it is refused");
  const revoked = await client.DELETE(PATHS.key, { params: { path: { id: key.id } } });
  await expectStatus("revokeApiKey", revoked.response, 204);
  const after = await key.client.GET(PATHS.notes);
  await expectError("listNotes", after.response, 401, after.error?.detail, after.error?.code);

  step("read one note");
  const first = created[0] ?? fail("no note created");
  const read = await client.GET(PATHS.note, { params: { path: { id: first } } });
  await expectStatus("getNote", read.response, 200);
  if (read.data?.title !== "ts 0") fail(`read ${JSON.stringify(read.data)}`);

  step("update it");
  const updated = await client.PATCH(PATHS.note, { params: { path: { id: first } }, body: { title: "ts renamed" } });
  await expectStatus("updateNote", updated.response, 200);
  if (updated.data?.title !== "ts renamed") fail(`updated ${JSON.stringify(updated.data)}`);

  step(`be refused on ${OTHER_USER}'s note`);
  const other = { params: { path: { id: OTHER_NOTE } } };
  const theirs = await client.GET(PATHS.note, other);
  const change = await client.PATCH(PATHS.note, { ...other, body: { title: "mine now" } });
  if (OBJECT_ACCESS === "owner_only") {
    await expectError("getNote", theirs.response, 404, theirs.error?.detail, theirs.error?.code);
    await expectError("updateNote", change.response, 404, change.error?.detail, change.error?.code);
  } else {
    await expectStatus("getNote", theirs.response, 200);
    if (theirs.data?.owner !== OTHER_USER) fail(`${OTHER_USER}'s note reads ${JSON.stringify(theirs.data)}`);
    await expectError("updateNote", change.response, 403, change.error?.detail, change.error?.code);
  }

  step("delete the notes it created");
  for (const id of created) {
    const { response } = await client.DELETE(PATHS.note, { params: { path: { id } } });
    await expectStatus("deleteNote", response, 204);
  }
  const gone = await client.GET(PATHS.note, { params: { path: { id: first } } });
  await expectError("getNote", gone.response, 404, gone.error?.detail, gone.error?.code);

  step("log out");
  await credential.logout();

  step("the old credential is refused");
  await credential.oldCredentialRefused();
  console.log("typescript client: flow complete");
}

flow().catch((error: unknown) => {
  const message = error instanceof FlowFailed ? error.message : String(error instanceof Error ? error.stack : error);
  console.log(`FAILED at step '${currentStep()}': ${message}`);
  process.exit(1);
});
