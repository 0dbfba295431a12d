/**
 * The migrations the runner applies, in order. Each `sql` is, byte for byte, the `.sql` file of the same name
 * beside this one (those are kept for reading and for psql).
 *
 * Why constants and not reading the files at run time: the build is plain `tsc`, which does not copy `.sql` files
 * into `dist/`, and an image may ship `dist/` alone. Constants are compiled in, so `tsx`/vitest from `src/` and
 * `node dist/src/main.js` apply exactly the same SQL with no path guessing. `migrations.test.ts` fails when a
 * constant and its file differ, or when a file has no constant.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    name: '001_initial',
    sql: `-- Initial schema. Runs unchanged on PostgreSQL 15+ and on PGlite (PostgreSQL 17 in WASM).

-- A Slack thread's tickets: one active link per thread, earlier links kept as history.
CREATE TABLE thread_links (
  id                bigserial PRIMARY KEY,
  team_id           text        NOT NULL,
  channel_id        text        NOT NULL,
  thread_ts         text        NOT NULL,
  portal            text        NOT NULL,
  tenant_id         text        NOT NULL,
  tenant_name       text        NOT NULL,
  ticket_name       text        NOT NULL,
  ticket_title      text        NOT NULL,
  agent_name        text        NOT NULL,
  agent_instance_id text        NOT NULL,
  identity          text        NOT NULL,
  created_by        text        NOT NULL,
  active            boolean     NOT NULL DEFAULT true,
  card_message_ts   text,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);

-- The invariant "a thread belongs to exactly one ticket at a time", enforced by the database.
CREATE UNIQUE INDEX thread_links_one_active ON thread_links (team_id, channel_id, thread_ts) WHERE active;

CREATE INDEX thread_links_history ON thread_links (team_id, channel_id, thread_ts, created_at);

-- App Home: a user's active tickets, newest first.
CREATE INDEX thread_links_active_by_creator ON thread_links (team_id, created_by, created_at DESC) WHERE active;

-- Command cards. link_id is not a foreign key: card and link ids are opaque strings to callers.
CREATE TABLE command_cards (
  id           text        PRIMARY KEY,
  link_id      text        NOT NULL,
  team_id      text        NOT NULL,
  channel_id   text        NOT NULL,
  thread_ts    text        NOT NULL,
  portal       text        NOT NULL,
  tenant_id    text        NOT NULL,
  ticket_name  text        NOT NULL,
  identity     text        NOT NULL,
  items        jsonb       NOT NULL,
  choices      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  status       text        NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'submitted', 'executed', 'failed', 'expired')),
  message_ts   text,
  submitted_by text,
  submitted_at timestamptz,
  outcome      text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);

-- Expiry sweeps and resume after restart: cards in a status, oldest update first.
CREATE INDEX command_cards_status_updated ON command_cards (status, updated_at);

-- Slack event ids already handled (Slack retries the same event_id).
CREATE TABLE processed_events (
  event_id    text        PRIMARY KEY,
  received_at timestamptz NOT NULL
);

CREATE INDEX processed_events_received_at ON processed_events (received_at);

-- Short-lived exclusive claims shared by every service instance on one database.
CREATE TABLE leases (
  key        text        PRIMARY KEY,
  owner      text        NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Who did what to which ticket, when. Append-only.
CREATE TABLE audit_log (
  id          bigserial   PRIMARY KEY,
  at          timestamptz NOT NULL,
  actor       text        NOT NULL,
  action      text        NOT NULL,
  portal      text        NOT NULL,
  tenant_id   text        NOT NULL,
  ticket_name text        NOT NULL,
  identity    text,
  detail      jsonb       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_ticket ON audit_log (portal, ticket_name, at);
`,
  },
  {
    name: '002_thread_requests',
    sql: `-- What a person asked in a thread that has no ticket yet; Create Ticket uses it as the ticket's content.
CREATE TABLE thread_requests (
  team_id        text        NOT NULL,
  channel_id     text        NOT NULL,
  thread_ts      text        NOT NULL,
  request_ts     text        NOT NULL,
  slack_user_id  text        NOT NULL,
  text           text        NOT NULL,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (team_id, channel_id, thread_ts, request_ts)
);

CREATE INDEX thread_requests_created_at ON thread_requests (created_at);
`,
  },
  {
    name: '003_helpdesk_generations',
    sql: `-- Both HelpDesk API generations (docs/duplocloud-api.md §0): a ticket lives in a space (a tenant or a workspace),
-- is handled by an agent known by its id, and runs with permissions (one identity, or workspace scopes) fixed when
-- it is created. Links made before this migration are tenant-HelpDesk links with one identity.

ALTER TABLE thread_links ADD COLUMN api text NOT NULL DEFAULT 'tenant' CHECK (api IN ('tenant', 'workspace'));
ALTER TABLE thread_links ALTER COLUMN api DROP DEFAULT;
ALTER TABLE thread_links RENAME COLUMN tenant_id TO space_id;
ALTER TABLE thread_links RENAME COLUMN tenant_name TO space_name;
ALTER TABLE thread_links RENAME COLUMN agent_instance_id TO agent_id;
ALTER TABLE thread_links ADD COLUMN permissions jsonb;
UPDATE thread_links SET permissions = jsonb_build_array(jsonb_build_object('id', identity, 'name', identity));
ALTER TABLE thread_links ALTER COLUMN permissions SET NOT NULL;
ALTER TABLE thread_links DROP COLUMN identity;

ALTER TABLE command_cards RENAME COLUMN tenant_id TO space_id;
ALTER TABLE command_cards ADD COLUMN agent_id text;
UPDATE command_cards AS card SET agent_id = link.agent_id FROM thread_links AS link WHERE link.id::text = card.link_id;
UPDATE command_cards SET agent_id = '' WHERE agent_id IS NULL;
ALTER TABLE command_cards ALTER COLUMN agent_id SET NOT NULL;
ALTER TABLE command_cards ADD COLUMN permissions jsonb;
UPDATE command_cards SET permissions = jsonb_build_array(jsonb_build_object('id', identity, 'name', identity));
ALTER TABLE command_cards ALTER COLUMN permissions SET NOT NULL;
ALTER TABLE command_cards DROP COLUMN identity;

ALTER TABLE audit_log RENAME COLUMN tenant_id TO space_id;
ALTER TABLE audit_log RENAME COLUMN identity TO permissions;
`,
  },
  {
    name: '004_open_streams',
    sql: `-- Agent replies being streamed into Slack (chat.startStream … chat.stopStream). A process that stops with a stream
-- open leaves it "still writing" in Slack until Slack ends it; the sweep closes, with a note, every stream whose
-- instance stopped renewing it.
CREATE TABLE open_streams (
  team_id    text        NOT NULL,
  channel_id text        NOT NULL,
  message_ts text        NOT NULL,
  thread_ts  text        NOT NULL,
  agent_name text        NOT NULL,
  owner      text        NOT NULL,
  started_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  PRIMARY KEY (channel_id, message_ts)
);
CREATE INDEX open_streams_renewed_at ON open_streams (renewed_at);
`,
  },
  {
    name: '005_audit_log_time',
    sql: `-- The audit export reads the log by time (npm run audit -- --since 7d), a page at a time in (at, id) order.
CREATE INDEX audit_log_at ON audit_log (at, id);
`,
  },
  {
    name: '006_ticket_closed',
    sql: `-- A ticket closed from Slack (Resolved or Unresolved): its link stays the thread's active link, marked closed, so the
-- thread stops going to the agent until someone reopens it or a new ticket takes the thread over.
ALTER TABLE thread_links ADD COLUMN closed_at timestamptz;
ALTER TABLE thread_links ADD COLUMN closed_by text;
ALTER TABLE thread_links ADD COLUMN resolution text CHECK (resolution IN ('resolved', 'unresolved'));
ALTER TABLE thread_links ADD CONSTRAINT thread_links_closed_whole
  CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL) = (resolution IS NULL));

-- App Home: a user's recently closed tickets, most recently closed first.
CREATE INDEX thread_links_closed_by_creator ON thread_links (team_id, created_by, closed_at DESC)
  WHERE active AND closed_at IS NOT NULL;
`,
  },
  {
    name: '007_channel_defaults',
    sql: `-- A channel's defaults for Create Ticket (/helpdesk defaults): the portal, space, agent and permissions its tickets
-- start from. One row per channel; who set it last and when. The names are kept as they were when set, to show
-- them without asking the portal; Create Ticket checks every id again.
CREATE TABLE channel_defaults (
  team_id     text        NOT NULL,
  channel_id  text        NOT NULL,
  portal      text        NOT NULL,
  api         text        NOT NULL CHECK (api IN ('tenant', 'workspace')),
  space_id    text        NOT NULL,
  space_name  text        NOT NULL,
  agent_id    text        NOT NULL,
  agent_name  text        NOT NULL,
  permissions jsonb       NOT NULL,
  set_by      text        NOT NULL,
  set_at      timestamptz NOT NULL,
  PRIMARY KEY (team_id, channel_id)
);

-- App Home: the channels whose defaults a person set, newest first.
CREATE INDEX channel_defaults_by_setter ON channel_defaults (team_id, set_by, set_at DESC);
`,
  },
  {
    name: '008_thread_requests_redacted',
    sql: `-- A thread's request is redacted before it is kept (TicketService.rememberRequest); how many values were replaced is
-- kept beside it, so the person is still told when their ticket is made. Requests kept before this were written as
-- typed: they are dropped (each was a Create Ticket offer; mentioning the bot again offers it again).
DELETE FROM thread_requests;
ALTER TABLE thread_requests ADD COLUMN redacted integer NOT NULL DEFAULT 0 CHECK (redacted >= 0);
`,
  },
];
