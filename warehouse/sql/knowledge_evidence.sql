-- The direction evidence earlier payloads gave, by benchmark, with the lineage that gave it.
SELECT b.benchmark_key, e.kind, e.direction, e.detail, e.source
FROM direction_evidence AS e
JOIN benchmarks AS b ON b.benchmark_id = e.benchmark_id
ORDER BY b.benchmark_key, e.kind, e.direction, e.source
