-- `sota conflicts`: where sources disagree about the same model on the same benchmark, the widest spread first
-- (equal spreads in the order of their names, so the listing is the same every time).
SELECT * FROM conflicts
WHERE ($task IS NULL OR task = $task) AND ($dataset IS NULL OR dataset = $dataset)
ORDER BY spread DESC, task, dataset, metric, model, sources, lowest
LIMIT $limit
