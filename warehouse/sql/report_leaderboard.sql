-- `sota report`: one benchmark's ranked board as of a date, with the snapshots that first and last showed each row.
SELECT
    l.rank, l.model, l.value, l.published_on, l.published_precision, l.paper_title, l.paper_url, l.arxiv_id,
    l.source, l.uses_additional_data, l.is_estimate, l.first_seen_at, l.result_id,
    r.first_snapshot_id, r.last_snapshot_id
FROM leaderboard_as_of($task, $dataset, $metric, CAST($d AS DATE), known_at := $known_at) AS l
JOIN results AS r ON r.result_id = l.result_id
ORDER BY l.rank, l.published_on, l.first_seen_at, l.result_id
LIMIT $top
