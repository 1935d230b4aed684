-- One benchmark by its exact names: its direction, unit and how many results it holds by latest knowledge.
SELECT
    b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit,
    count(r.result_id) AS results
FROM benchmarks AS b
LEFT JOIN results AS r ON r.benchmark_id = b.benchmark_id AND r.removed_at IS NULL
WHERE b.task = $task AND b.dataset = $dataset AND b.metric = $metric
GROUP BY ALL
