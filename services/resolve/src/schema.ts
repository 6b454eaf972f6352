/** Resolve's tables. Idempotent; run at start-up by every instance (guarded by an advisory lock). */
export const RESOLVE_SCHEMA_SQL = `
CREATE SEQUENCE IF NOT EXISTS idres_cluster_seq;
CREATE SEQUENCE IF NOT EXISTS idres_event_seq;
CREATE TABLE IF NOT EXISTS idres_records (
  record_id   text COLLATE "C" PRIMARY KEY,
  version     bigint  NOT NULL DEFAULT 0,
  deleted     boolean NOT NULL DEFAULT false,
  registered  boolean NOT NULL DEFAULT false,
  cluster_id  bigint,
  values      jsonb   NOT NULL DEFAULT '{}'::jsonb,
  ingested_at bigint  NOT NULL DEFAULT 0
) WITH (fillfactor = 80);
CREATE INDEX IF NOT EXISTS idres_records_cluster ON idres_records (cluster_id);
CREATE TABLE IF NOT EXISTS idres_clusters (
  cluster_id bigint PRIMARY KEY,
  size       integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS idres_edges (
  a            text COLLATE "C" NOT NULL,
  b            text COLLATE "C" NOT NULL,
  a_version    bigint NOT NULL,
  b_version    bigint NOT NULL,
  probability  double precision NOT NULL,
  match_weight double precision NOT NULL,
  rule         text,
  explanation  text NOT NULL DEFAULT '[]',  -- JSON, only ever read whole: text avoids a jsonb parse per link
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS idres_edges_b ON idres_edges (b);
-- The stored match model version that scored the link (null: the default or a pinned model file).
ALTER TABLE idres_edges ADD COLUMN IF NOT EXISTS model_version bigint;
-- false: a pair below the match threshold, kept as evidence for the clustering (it never joins records by itself).
ALTER TABLE idres_edges ADD COLUMN IF NOT EXISTS link boolean NOT NULL DEFAULT true;
-- Record IDs compare bytewise ("C"): the b-tree and the batch sorts need no locale rules. Tables made by
-- idres 0.1 before this change are converted once.
DO $$
DECLARE col record;
BEGIN
  FOR col IN SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND (table_name, column_name) IN (('idres_records', 'record_id'), ('idres_edges', 'a'), ('idres_edges', 'b'))
      AND collation_name IS DISTINCT FROM 'C'
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE text COLLATE "C"', col.table_name, col.column_name);
  END LOOP;
END $$;
-- Every identity event, written with the batch that made it (the console's history page reads it). No values:
-- IDs, event types and member counts only, so erasure has nothing to remove here.
CREATE TABLE IF NOT EXISTS idres_identity_history (
  seq         bigint PRIMARY KEY,
  master_id   text NOT NULL,
  type        text NOT NULL,
  members     integer NOT NULL,
  survivor_id text,
  split_from  text,
  at          bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS idres_identity_history_master ON idres_identity_history (master_id);
CREATE INDEX IF NOT EXISTS idres_identity_history_survivor ON idres_identity_history (survivor_id) WHERE survivor_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idres_identity_history_split ON idres_identity_history (split_from) WHERE split_from IS NOT NULL;
-- Resolved events not yet produced to Kafka: one row per batch, a JSON array kept as text (never queried inside).
CREATE TABLE IF NOT EXISTS idres_event_outbox (
  id      bigserial PRIMARY KEY,
  payload text NOT NULL
);
`;
