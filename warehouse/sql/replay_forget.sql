-- What the lineages being replayed (`replay_lineages`) derived, forgotten so that the replay derives it again from
-- their payloads: result versions, rejects, listed boards, direction evidence and the snapshot rows themselves (the
-- replay writes them again under the same ids). Payloads, source state, benchmarks and the new-SOTA records (an event
-- log of what loads detected) stay. First the benchmarks their results are on (`replay_scope`), whose consolidated
-- results and frontier are recomputed when the replay ends: a benchmark the replay no longer reaches must lose them.
CREATE OR REPLACE TEMP TABLE replay_scope AS
SELECT DISTINCT r.benchmark_id FROM results AS r WHERE r.source IN (SELECT source FROM replay_lineages);
DELETE FROM results WHERE source IN (SELECT source FROM replay_lineages);
DELETE FROM rejects WHERE source IN (SELECT source FROM replay_lineages);
DELETE FROM direction_evidence WHERE source IN (SELECT source FROM replay_lineages);
DELETE FROM snapshot_boards
WHERE snapshot_id IN (SELECT s.snapshot_id FROM snapshots AS s WHERE s.source IN (SELECT source FROM replay_lineages));
DELETE FROM snapshots WHERE source IN (SELECT source FROM replay_lineages);
