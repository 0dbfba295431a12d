-- Agent replies being streamed into Slack (chat.startStream … chat.stopStream). A process that stops with a stream
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
