-- `sota report`: where sources disagree about the same model on one benchmark, the widest spread first.
SELECT model, sources, lowest, highest, spread, versions
FROM conflicts
WHERE task = $task AND dataset = $dataset AND metric = $metric
ORDER BY spread DESC, model
LIMIT $limit
