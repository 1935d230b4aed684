-- `sota report`: every ranked benchmark in the warehouse with its results by latest knowledge (0 when every one was
-- removed), in the order of the task index: task, dataset, metric, case folded.
SELECT b.task, b.dataset, b.metric, count(r.result_id) AS results
FROM benchmarks AS b
LEFT JOIN results AS r ON r.benchmark_id = b.benchmark_id AND r.removed_at IS NULL
WHERE b.direction IN ('higher', 'lower')
GROUP BY b.task, b.dataset, b.metric
ORDER BY lower(b.task), b.task, lower(b.dataset), b.dataset, lower(b.metric), b.metric
