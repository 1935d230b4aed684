-- The values the warehouse shows now on some boards ($keys: benchmark_keys), one per claim, so that a payload's values
-- are judged against the whole board (pipelines/suspects.py). Suspects are left out: they measure no spread and vouch
-- for nothing. A claim two lineages show with two values counts once, with the value first seen last.
SELECT b.benchmark_key, r.claim_key, arg_max(r.value, r.first_seen_at) AS value
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
WHERE r.removed_at IS NULL AND NOT r.is_suspect AND b.benchmark_key IN (SELECT unnest($keys))
GROUP BY b.benchmark_key, r.claim_key
