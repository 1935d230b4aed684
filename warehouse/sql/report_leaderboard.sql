-- `sota report`: the ranked board of each of the benchmarks $benchmark_ids as of a date, its best $top, with the
-- snapshots that first and last showed each row: every page's in one query.
SELECT
    b.benchmark_id, l.rank, l.model, l.value, l.published_on, l.published_precision, l.paper_title, l.paper_url,
    l.arxiv_id, l.source, l.uses_additional_data, l.is_estimate, l.first_seen_at, l.result_id,
    r.first_snapshot_id, r.last_snapshot_id
FROM benchmarks AS b,
     LATERAL (FROM leaderboard_as_of(b.task, b.dataset, b.metric, CAST($d AS DATE), known_at := $known_at)) AS l
JOIN results AS r ON r.result_id = l.result_id
WHERE list_contains($benchmark_ids, b.benchmark_id)
QUALIFY row_number() OVER (PARTITION BY b.benchmark_id
                           ORDER BY l.rank, l.published_on, l.first_seen_at, l.result_id) <= $top
ORDER BY b.benchmark_id, l.rank, l.published_on, l.first_seen_at, l.result_id
