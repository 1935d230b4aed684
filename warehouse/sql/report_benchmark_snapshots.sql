-- `sota report`: the snapshots that showed results of each of the benchmarks $benchmark_ids, newest first.
SELECT r.benchmark_id, s.snapshot_id, s.source, s.location, s.observed_at, s.status, count(r.result_id) AS results
FROM results AS r
JOIN snapshots AS s ON s.snapshot_id BETWEEN r.first_snapshot_id AND r.last_snapshot_id AND s.source = r.source
WHERE list_contains($benchmark_ids, r.benchmark_id) AND s.status <> 'failed'
GROUP BY ALL
ORDER BY r.benchmark_id, s.observed_at DESC, s.snapshot_id DESC
