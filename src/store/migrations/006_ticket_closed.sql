-- A ticket closed from Slack (Resolved or Unresolved): its link stays the thread's active link, marked closed, so the
-- thread stops going to the agent until someone reopens it or a new ticket takes the thread over.
ALTER TABLE thread_links ADD COLUMN closed_at timestamptz;
ALTER TABLE thread_links ADD COLUMN closed_by text;
ALTER TABLE thread_links ADD COLUMN resolution text CHECK (resolution IN ('resolved', 'unresolved'));
ALTER TABLE thread_links ADD CONSTRAINT thread_links_closed_whole
  CHECK ((closed_at IS NULL) = (closed_by IS NULL) AND (closed_at IS NULL) = (resolution IS NULL));

-- App Home: a user's recently closed tickets, most recently closed first.
CREATE INDEX thread_links_closed_by_creator ON thread_links (team_id, created_by, closed_at DESC)
  WHERE active AND closed_at IS NOT NULL;
