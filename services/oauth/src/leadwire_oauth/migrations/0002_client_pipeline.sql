-- How the pipeline treats a client's leads (domain.policy.PipelineSettings, as JSON):
-- primary mailbox, Slack notification kinds, follow-up sequence, approval threshold,
-- domains that are never leads.
ALTER TABLE clients ADD COLUMN pipeline jsonb NOT NULL DEFAULT '{}'::jsonb;
