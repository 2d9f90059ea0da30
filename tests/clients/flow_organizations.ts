// flow.ts for tenancy=organizations: the same day, with the notes of an organization the user
// is a member of (CLIENT_ORGANIZATION, where CLIENT_OTHER_USER owns CLIENT_OTHER_NOTE), through
// openapi-fetch typed by the generated schema.ts and checked by tsc --strict.
//
// tests/test_clients.py copies this file (instead of flow.ts), common.ts and auth/<option>.ts
// next to the bake's schema.ts. Besides the notes, the flow reads its memberships, creates an
// organization of its own (renames it, lists its members, makes an API key there and uses it,
// invites, lists and revokes the invitation, deletes it at the end), is refused an invitation
// where it is only a member, and finds nothing of CLIENT_FOREIGN_ORGANIZATION, where it is no
// member: not its notes, nor its note (CLIENT_FOREIGN_NOTE) by id under its own organization's
// path. Its API key finds nothing in CLIENT_ORGANIZATION either.
import { logIn } from "./auth.js";
import {
  type Api,
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
const ORGANIZATION = env("CLIENT_ORGANIZATION");
const FOREIGN_ORGANIZATION = env("CLIENT_FOREIGN_ORGANIZATION");
const FOREIGN_NOTE = Number(env("CLIENT_FOREIGN_NOTE"));
const PAGE_SIZE = 2;
const NOTES = 5; // three pages of PAGE_SIZE

/** The organization steps before the notes: the slug of the organization it created. */
async function organizations(client: Api, memberships: { organization: string; role: string }[]): Promise<string> {
  step("read its memberships in /api/me/");
  const mine = new Map(memberships.map((membership) => [membership.organization, membership.role]));
  if (mine.get(ORGANIZATION) !== "member" || mine.has(FOREIGN_ORGANIZATION)) {
    fail(`/api/me/ lists memberships ${JSON.stringify([...mine])}, not a member of ${ORGANIZATION} alone`);
  }

  step("list its organizations");
  const listed = await client.GET(PATHS.organizations);
  await expectStatus("listOrganizations", listed.response, 200);
  const roles = new Map((listed.data?.results ?? []).map((organization) => [organization.slug, organization.role]));
  if (roles.get(ORGANIZATION) !== "member" || roles.has(FOREIGN_ORGANIZATION)) {
    fail(`listOrganizations lists ${JSON.stringify([...roles])}`);
  }

  step("create an organization, and own it");
  const created = await client.POST(PATHS.organizations, { body: { name: "TypeScript Flow" } });
  await expectStatus("createOrganization", created.response, 201);
  if (created.data?.role !== "owner" || created.data.name !== "TypeScript Flow" || !created.data.slug) {
    return fail(`created ${JSON.stringify(created.data)}`);
  }
  const slug = created.data.slug;
  const organization = { params: { path: { slug } } };
  const read = await client.GET(PATHS.organization, organization);
  await expectStatus("getOrganization", read.response, 200);
  if (read.data?.role !== "owner") fail(`getOrganization: ${JSON.stringify(read.data)}`);

  step("rename it");
  const renamed = await client.PATCH(PATHS.organization, { ...organization, body: { name: "TypeScript Flow, renamed" } });
  await expectStatus("updateOrganization", renamed.response, 200);
  if (renamed.data?.name !== "TypeScript Flow, renamed" || renamed.data.slug !== slug) {
    fail(`renamed ${JSON.stringify(renamed.data)}`);
  }

  step("list the members");
  const members = await client.GET(PATHS.members, organization);
  await expectStatus("listMembers", members.response, 200);
  const found = (members.data?.results ?? []).map((member) => `${member.username}:${member.role}`);
  if (found.join(",") !== `${USER}:owner`) fail(`the members of ${slug}: ${found}`);
  const theirs = await client.GET(PATHS.members, { params: { path: { slug: ORGANIZATION } } });
  await expectStatus("listMembers", theirs.response, 200);
  const acme = new Map((theirs.data?.results ?? []).map((member) => [member.username, member.role]));
  if (acme.get(USER) !== "member" || !acme.has(OTHER_USER)) {
    fail(`the members of ${ORGANIZATION}: ${JSON.stringify([...acme])}`);
  }

  step("create an API key for it that may read notes");
  const made = await client.POST(PATHS.orgKeys, {
    ...organization,
    body: { name: "TypeScript flow", scopes: ["notes:read"], expires_at: tomorrow() },
  });
  await expectStatus("createApiKey", made.response, 201);
  if (!made.data?.key) return fail(`createApiKey answered ${JSON.stringify(made.data)}`);
  const key = { id: made.data.id, client: keyClient(made.data.key) };

  step("list its notes with the key alone");
  const listedByKey = await key.client.GET(PATHS.orgNotes, organization);
  await expectStatus("listNotes", listedByKey.response, 200);
  const write = await key.client.POST(PATHS.orgNotes, { ...organization, body: { title: "from a key", body: "" } });
  await expectError("createNote", write.response, 403, write.error?.detail, write.error?.code);
  const elsewhere = await key.client.GET(PATHS.orgNotes, { params: { path: { slug: ORGANIZATION } } });
  await expectError("listNotes", elsewhere.response, 404, elsewhere.error?.detail, elsewhere.error?.code);

  step("revoke the key; it is refused");
  const revokedKey = await client.DELETE(PATHS.orgKey, { params: { path: { slug, id: key.id } } });
  await expectStatus("revokeApiKey", revokedKey.response, 204);
  const after = await key.client.GET(PATHS.orgNotes, organization);
  await expectError("listNotes", after.response, 401, after.error?.detail, after.error?.code);

  step("invite someone, list the invitation, revoke it");
  const invitation = { email: "newcomer@example.com", role: "member" } as const;
  const invited = await client.POST(PATHS.invitations, { ...organization, body: invitation });
  await expectStatus("createInvitation", invited.response, 201);
  if (invited.data?.email !== invitation.email || invited.data.status !== "pending") {
    return fail(`invited ${JSON.stringify(invited.data)}`);
  }
  const id = invited.data.id;
  const pending = await client.GET(PATHS.invitations, organization);
  await expectStatus("listInvitations", pending.response, 200);
  if (!(pending.data?.results ?? []).some((item) => item.id === id)) {
    fail(`invitation ${id} is not listed: ${JSON.stringify(pending.data)}`);
  }
  const revoked = await client.DELETE(PATHS.invitation, { params: { path: { slug, id } } });
  await expectStatus("revokeInvitation", revoked.response, 204);

  step(`be refused an invitation in ${ORGANIZATION}, as a member`);
  const refused = await client.POST(PATHS.invitations, { params: { path: { slug: ORGANIZATION } }, body: invitation });
  await expectError("createInvitation", refused.response, 403, refused.error?.detail, refused.error?.code);
  return slug;
}

async function flow(): Promise<void> {
  step("log in");
  const credential = await logIn();
  const client = credential.client;

  step("read /api/me/");
  const me = await client.GET(PATHS.me);
  await expectStatus("getMe", me.response, 200);
  if (me.data?.username !== USER) return fail(`/api/me/ says ${JSON.stringify(me.data)}`);
  const ownOrganization = await organizations(client, me.data.memberships);

  const here = { slug: ORGANIZATION };
  step(`create ${NOTES} notes`);
  const created: number[] = [];
  for (let number = 0; number < NOTES; number++) {
    const note = await client.POST(PATHS.orgNotes, {
      params: { path: here },
      body: { title: `ts ${number}`, body: "b" },
    });
    await expectStatus("createNote", note.response, 201);
    if (note.data?.owner !== USER) fail(`created ${JSON.stringify(note.data)}`);
    created.push(note.data.id);
  }

  step(`follow every page's next (page_size=${PAGE_SIZE})`);
  const seen: { id: number; owner: string }[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await client.GET(PATHS.orgNotes, { params: { path: here, query: { page_size: PAGE_SIZE, cursor } } });
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
  if (ids.includes(FOREIGN_NOTE)) fail(`${FOREIGN_ORGANIZATION}'s note ${FOREIGN_NOTE} is listed`);

  step("read one note");
  const first = created[0] ?? fail("no note created");
  const read = await client.GET(PATHS.orgNote, { params: { path: { ...here, id: first } } });
  await expectStatus("getNote", read.response, 200);
  if (read.data?.title !== "ts 0") fail(`read ${JSON.stringify(read.data)}`);

  step("update it");
  const updated = await client.PATCH(PATHS.orgNote, {
    params: { path: { ...here, id: first } },
    body: { title: "ts renamed" },
  });
  await expectStatus("updateNote", updated.response, 200);
  if (updated.data?.title !== "ts renamed") fail(`updated ${JSON.stringify(updated.data)}`);

  step(`be refused on ${OTHER_USER}'s note`);
  const other = { params: { path: { ...here, id: OTHER_NOTE } } };
  const theirs = await client.GET(PATHS.orgNote, other);
  const change = await client.PATCH(PATHS.orgNote, { ...other, body: { title: "mine now" } });
  if (OBJECT_ACCESS === "owner_only") {
    await expectError("getNote", theirs.response, 404, theirs.error?.detail, theirs.error?.code);
    await expectError("updateNote", change.response, 404, change.error?.detail, change.error?.code);
  } else {
    await expectStatus("getNote", theirs.response, 200);
    if (theirs.data?.owner !== OTHER_USER) fail(`${OTHER_USER}'s note reads ${JSON.stringify(theirs.data)}`);
    await expectError("updateNote", change.response, 403, change.error?.detail, change.error?.code);
  }

  step(`find nothing of ${FOREIGN_ORGANIZATION}, where it is no member`);
  const underOurs = await client.GET(PATHS.orgNote, { params: { path: { ...here, id: FOREIGN_NOTE } } });
  await expectError("getNote", underOurs.response, 404, underOurs.error?.detail, underOurs.error?.code);
  const foreign = { slug: FOREIGN_ORGANIZATION };
  const underTheirs = await client.GET(PATHS.orgNote, { params: { path: { ...foreign, id: FOREIGN_NOTE } } });
  await expectError("getNote", underTheirs.response, 404, underTheirs.error?.detail, underTheirs.error?.code);
  const list = await client.GET(PATHS.orgNotes, { params: { path: foreign } });
  await expectError("listNotes", list.response, 404, list.error?.detail, list.error?.code);
  const theirOrganization = await client.GET(PATHS.organization, { params: { path: foreign } });
  await expectError(
    "getOrganization",
    theirOrganization.response,
    404,
    theirOrganization.error?.detail,
    theirOrganization.error?.code,
  );

  step("delete the notes it created");
  for (const id of created) {
    const { response } = await client.DELETE(PATHS.orgNote, { params: { path: { ...here, id } } });
    await expectStatus("deleteNote", response, 204);
  }
  const gone = await client.GET(PATHS.orgNote, { params: { path: { ...here, id: first } } });
  await expectError("getNote", gone.response, 404, gone.error?.detail, gone.error?.code);

  step("delete the organization it created");
  const own = { params: { path: { slug: ownOrganization } } };
  const deleted = await client.DELETE(PATHS.organization, own);
  await expectStatus("deleteOrganization", deleted.response, 204);
  const vanished = await client.GET(PATHS.organization, own);
  await expectError("getOrganization", vanished.response, 404, vanished.error?.detail, vanished.error?.code);

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
