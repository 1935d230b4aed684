-- `sota report`: the snapshots that showed results of one benchmark, newest first.
SELECT s.snapshot_id, s.source, s.location, s.observed_at, s.status, count(r.result_id) AS results
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
JOIN snapshots AS s ON s.snapshot_id BETWEEN r.first_snapshot_id AND r.last_snapshot_id AND s.source = r.source
WHERE b.task = $task AND b.dataset = $dataset AND b.metric = $metric AND s.status <> 'failed'
GROUP BY ALL
ORDER BY s.observed_at DESC, s.snapshot_id DESC
