-- Indexes for the engine's hot queries.
-- Activity: newest first, keyset-paged on (timestamp, id).
CREATE INDEX idx_action_log_ts_id ON action_log(timestamp, id);
-- Tasks: claim the oldest pending task; list by status in creation order.
CREATE INDEX idx_agent_tasks_status_created ON agent_tasks(status, created_at, id);
-- Citations: list by run.
CREATE INDEX idx_citations_run ON citations(citing_run_id, created_at);
