-- `sota report`: where sources disagree about the same model, on each of the benchmarks $benchmark_ids, the widest
-- spread first, at most $limit a benchmark (the view is worked out once for every page).
SELECT b.benchmark_id, c.model, c.sources, c.lowest, c.highest, c.spread, c.versions
FROM conflicts AS c
JOIN benchmarks AS b ON b.task = c.task AND b.dataset = c.dataset AND b.metric = c.metric
WHERE list_contains($benchmark_ids, b.benchmark_id)
QUALIFY row_number() OVER (PARTITION BY b.benchmark_id ORDER BY c.spread DESC, c.model) <= $limit
ORDER BY b.benchmark_id, c.spread DESC, c.model
