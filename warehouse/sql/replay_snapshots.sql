-- The snapshots of the lineages being replayed (`replay_lineages`) in the order they were observed: the order a
-- replay applies them in, whatever the order they were loaded in.
SELECT s.snapshot_id, s.source, coalesce(s.kind, s.source), s.location, CAST(s.options AS VARCHAR), s.observed_at,
       s.loaded_at, s.sha256
FROM snapshots AS s
WHERE s.source IN (SELECT source FROM replay_lineages)
ORDER BY s.observed_at, s.snapshot_id
