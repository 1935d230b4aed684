-- The direction evidence earlier payloads gave, by benchmark.
SELECT b.benchmark_key, e.kind, e.direction, e.detail
FROM direction_evidence AS e
JOIN benchmarks AS b ON b.benchmark_id = e.benchmark_id
ORDER BY b.benchmark_key, e.kind, e.direction, e.source
