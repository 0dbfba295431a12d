-- A channel's defaults for Create Ticket (/helpdesk defaults): the portal, space, agent and permissions its tickets
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
