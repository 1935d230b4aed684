-- `sota report`: the benchmarks worth a page: ranked ones with at least $min_results results by latest knowledge,
-- the busiest first.
SELECT b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit, count(*) AS results
FROM benchmarks AS b
JOIN results AS r ON r.benchmark_id = b.benchmark_id AND r.removed_at IS NULL
WHERE b.direction IN ('higher', 'lower')
GROUP BY ALL
HAVING count(*) >= $min_results
ORDER BY results DESC, b.task, b.dataset, b.metric
LIMIT $limit
