-- `sota report`: the SOTA steps of each of the benchmarks $benchmark_ids (as known at $known_at; NULL: latest
-- knowledge), in `sota_history`'s order within each: every page's in one query.
SELECT b.benchmark_id, h.*
FROM benchmarks AS b,
     LATERAL (FROM sota_history(b.task, b.dataset, b.metric, known_at := $known_at)) AS h
WHERE list_contains($benchmark_ids, b.benchmark_id)
ORDER BY b.benchmark_id, h.effective_on, CASE WHEN h.direction = 'lower' THEN -h.value ELSE h.value END,
         h.first_seen_at, h.model, h.paper_title, h.paper_url, h.result_id
