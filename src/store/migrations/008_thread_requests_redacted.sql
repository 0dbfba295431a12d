-- A thread's request is redacted before it is kept (TicketService.rememberRequest); how many values were replaced is
-- kept beside it, so the person is still told when their ticket is made. Requests kept before this were written as
-- typed: they are dropped (each was a Create Ticket offer; mentioning the bot again offers it again).
DELETE FROM thread_requests;
ALTER TABLE thread_requests ADD COLUMN redacted integer NOT NULL DEFAULT 0 CHECK (redacted >= 0);
