-- The lineages a replay derives again ($lineages NULL: every lineage), for the statements of the replay to join.
CREATE OR REPLACE TEMP TABLE replay_lineages AS
SELECT DISTINCT s.source
FROM snapshots AS s
WHERE CAST($lineages AS VARCHAR[]) IS NULL OR list_contains(CAST($lineages AS VARCHAR[]), s.source)
