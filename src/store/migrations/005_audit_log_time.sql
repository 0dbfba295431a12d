-- The audit export reads the log by time (npm run audit -- --since 7d), a page at a time in (at, id) order.
CREATE INDEX audit_log_at ON audit_log (at, id);
