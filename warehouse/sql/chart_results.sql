-- `sota plot` / `sota report`: every result of one benchmark visible at an instant (NULL: latest knowledge), with the
-- date it counts from, estimates included (the chart marks them) and in every setting the ranking would count.
SELECT
    c.model, c.value, c.published_on, c.published_precision, c.effective_on, c.source, c.uses_additional_data,
    c.is_estimate, c.paper_title, c.paper_url, c.arxiv_id, c.first_seen_at, c.last_seen_at, c.result_id
FROM sw_claims(known_at := $known_at, extra_data := $extra_data, estimates := true) AS c
WHERE c.task = $task AND c.dataset = $dataset AND c.metric = $metric
ORDER BY c.effective_on, c.value, c.result_id
