-- `sota plot` / `sota report`: every consolidated result of the benchmarks $benchmark_ids visible at an instant (NULL:
-- latest knowledge), with the date it counts from, estimates included (the chart marks them) and in every setting the
-- ranking would count; `last_seen_at` is the latest sighting by any of its witnesses (one join over the boards'
-- witness ids, not a lookup per result). Several benchmarks at once, so a report asks once for all its charts.
WITH shown AS (
    SELECT c.*
    FROM sw_results(known_at := $known_at, extra_data := $extra_data, estimates := true) AS c
    WHERE list_contains($benchmark_ids, c.benchmark_id)
),
witnessed AS (
    SELECT v.consolidated_id, v.seen_from, unnest(v.witness_ids) AS witness_id
    FROM consolidated_results AS v
    JOIN shown AS s ON s.consolidated_id = v.consolidated_id AND s.seen_from = v.seen_from
),
sighted AS (
    SELECT w.consolidated_id, w.seen_from, max(r.last_seen_at) AS last_seen_at
    FROM witnessed AS w
    JOIN results AS r ON r.result_id = w.witness_id
    GROUP BY w.consolidated_id, w.seen_from
)
SELECT
    s.benchmark_id, s.model, s.value, s.published_on, s.published_precision, s.effective_on, s.source,
    s.uses_additional_data, s.is_estimate, s.paper_title, s.paper_url, s.arxiv_id, s.first_seen_at, s.result_id,
    g.last_seen_at, s.stderr
FROM shown AS s
JOIN sighted AS g ON g.consolidated_id = s.consolidated_id AND g.seen_from = s.seen_from
ORDER BY s.benchmark_id, s.effective_on, s.value, s.result_id
