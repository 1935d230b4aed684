-- `sota report`: the extra columns of the boards of $benchmark_ids ("Number of params", "GFLOPs" beside "Top 1
-- Accuracy"): for each consolidated result by latest knowledge, what the lineages behind it say of the same model and
-- paper (same name, title, arXiv id and setting) on the other benchmarks of the same task and dataset. One value per
-- result and sibling metric: the shown witness's, else the first lineage's by name.
WITH witnesses AS (
    SELECT
        c.benchmark_id, c.consolidated_id, w.result_id = c.result_id AS shown,
        r.source, r.model, r.paper_title, r.arxiv_id, r.setting
    FROM consolidated_results AS c, unnest(c.witness_ids) AS w(result_id)
    JOIN results AS r ON r.result_id = w.result_id
    WHERE c.removed_at IS NULL AND list_contains($benchmark_ids, c.benchmark_id)
)
SELECT
    w.benchmark_id, w.consolidated_id, sibling.metric, sibling.unit,
    arg_min(v.value, struct_pack(shown := NOT w.shown, source := w.source, id := v.result_id)) AS value
FROM witnesses AS w
JOIN benchmarks AS b ON b.benchmark_id = w.benchmark_id
JOIN benchmarks AS sibling
  ON sibling.task = b.task AND sibling.dataset = b.dataset AND sibling.benchmark_id <> b.benchmark_id
JOIN results AS v
  ON v.benchmark_id = sibling.benchmark_id AND v.removed_at IS NULL AND v.source = w.source AND v.model = w.model
 AND v.paper_title IS NOT DISTINCT FROM w.paper_title AND v.arxiv_id IS NOT DISTINCT FROM w.arxiv_id
 AND v.setting IS NOT DISTINCT FROM w.setting
GROUP BY w.benchmark_id, w.consolidated_id, sibling.metric, sibling.unit
ORDER BY w.benchmark_id, w.consolidated_id, sibling.metric
