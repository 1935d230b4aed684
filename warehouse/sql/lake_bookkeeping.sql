-- A lake's own bookkeeping, made once (warehouse/lake.py: migrate_lake): the migrations it has had; its id sequences,
-- which a lake does not have, as rows writers claim blocks from; and the one commit-turn row every write transaction
-- updates, which makes overlapping writers conflict (warehouse/statements.py: transaction).
CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER, name VARCHAR, applied_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS id_blocks (name VARCHAR, next_id BIGINT);
CREATE TABLE IF NOT EXISTS commit_turns (turn BIGINT);
INSERT INTO commit_turns SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM commit_turns)
