-- The evidence this payload gave. What its lineage gave before for these benchmarks is gone (forget_replaced_evidence
-- ran first), so a plain insert keeps one row per key, on a lake too (which has no keys to replace by).
INSERT INTO direction_evidence (benchmark_id, kind, direction, detail, source, snapshot_id)
SELECT b.benchmark_id, e.kind, e.direction, any_value(e.detail), $source, $snapshot_id
FROM incoming_evidence AS e
JOIN benchmarks AS b ON b.benchmark_key = e.benchmark_key
GROUP BY b.benchmark_id, e.kind, e.direction
