-- `sota conflicts`: where sources disagree about the same model on the same benchmark.
SELECT * FROM conflicts
WHERE ($task IS NULL OR task = $task) AND ($dataset IS NULL OR dataset = $dataset)
ORDER BY spread DESC, task, dataset, metric
LIMIT $limit
