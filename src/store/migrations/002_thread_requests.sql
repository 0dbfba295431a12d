-- What a person asked in a thread that has no ticket yet; Create Ticket uses it as the ticket's content.
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
