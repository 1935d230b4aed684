-- `sota export`: the benchmarks (with $as_of, only those with a result known by then).
SELECT b.*
FROM benchmarks AS b
WHERE $as_of IS NULL
   OR b.benchmark_id IN (SELECT r.benchmark_id FROM results AS r WHERE r.first_seen_at <= sw_known_instant($as_of))
ORDER BY b.benchmark_id
