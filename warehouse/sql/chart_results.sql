-- `sota plot` / `sota report`: every consolidated result of one benchmark visible at an instant (NULL: latest
-- knowledge), with the date it counts from, estimates included (the chart marks them) and in every setting the ranking
-- would count; `last_seen_at` is the latest sighting by any of its witnesses.
SELECT
    c.model, c.value, c.published_on, c.published_precision, c.effective_on, c.source, c.uses_additional_data,
    c.is_estimate, c.paper_title, c.paper_url, c.arxiv_id, c.first_seen_at, c.result_id,
    (
        SELECT max(r.last_seen_at)
        FROM consolidated_results AS v, results AS r
        WHERE v.consolidated_id = c.consolidated_id AND v.seen_from = c.seen_from
          AND r.benchmark_id = c.benchmark_id AND list_contains(v.witness_ids, r.result_id)
    ) AS last_seen_at
FROM sw_results(known_at := $known_at, extra_data := $extra_data, estimates := true) AS c
WHERE c.task = $task AND c.dataset = $dataset AND c.metric = $metric
ORDER BY c.effective_on, c.value, c.result_id
