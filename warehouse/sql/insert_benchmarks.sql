-- Benchmarks seen for the first time; direction and unit come from the first load that names them.
INSERT INTO benchmarks (task, dataset, metric, direction, unit)
SELECT i.task, i.dataset, i.metric, any_value(i.direction), max(i.unit)
FROM incoming AS i
WHERE NOT EXISTS (
    SELECT 1 FROM benchmarks AS b WHERE b.task = i.task AND b.dataset = i.dataset AND b.metric = i.metric
)
GROUP BY i.task, i.dataset, i.metric
