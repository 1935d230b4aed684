-- The evidence this payload gave (what its lineage gave before for these benchmarks is gone: forget_replaced_evidence).
INSERT OR REPLACE INTO direction_evidence (benchmark_id, kind, direction, detail, source, snapshot_id)
SELECT b.benchmark_id, e.kind, e.direction, any_value(e.detail), $source, $snapshot_id
FROM incoming_evidence AS e
JOIN benchmarks AS b ON b.benchmark_key = e.benchmark_key
GROUP BY b.benchmark_id, e.kind, e.direction
