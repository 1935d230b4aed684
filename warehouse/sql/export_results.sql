-- `sota export`: every result version (each lineage's claims) as the record stood at the end of $as_of (NULL:
-- everything), readable alone: the benchmark's names, direction and unit are columns, so no join is needed; the
-- claim key that ties versions together stays internal. A version first seen later is left out; a removal or a
-- sighting after it is undone (the last sighting becomes the latest snapshot of the same source observed by then).
SELECT
    r.source, b.task, b.dataset, b.metric, b.direction, b.unit, r.model, r.value, r.is_estimate, r.is_suspect,
    r.paper_title, r.paper_url, r.arxiv_id, r.published_on, r.published_precision, r.uses_additional_data, r.has_code, r.stderr,
    r.interval_low, r.interval_high,
    r.setting,
    r.claim_first_seen_at, r.first_seen_at,
    CASE WHEN $as_of IS NULL OR r.last_seen_at <= sw_known_instant($as_of) THEN r.last_seen_at
         ELSE coalesce(seen.observed_at, r.first_seen_at) END AS last_seen_at,
    CASE WHEN $as_of IS NULL OR r.removed_at <= sw_known_instant($as_of) THEN r.removed_at END AS removed_at,
    r.attributes, r.result_id, r.benchmark_id, r.first_snapshot_id,
    CASE WHEN $as_of IS NULL OR r.last_seen_at <= sw_known_instant($as_of) THEN r.last_snapshot_id
         ELSE coalesce(seen.snapshot_id, r.first_snapshot_id) END AS last_snapshot_id,
    CASE WHEN $as_of IS NULL OR r.removed_at <= sw_known_instant($as_of) THEN r.removed_by_snapshot_id END
        AS removed_by_snapshot_id
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id,
     LATERAL (SELECT max(s.observed_at) AS observed_at, max(s.snapshot_id) AS snapshot_id
              FROM snapshots AS s
              WHERE s.source = r.source AND s.status <> 'failed'
                AND s.snapshot_id >= r.first_snapshot_id
                AND s.observed_at <= sw_known_instant($as_of)) AS seen
WHERE $as_of IS NULL OR r.first_seen_at <= sw_known_instant($as_of)
ORDER BY r.source, r.benchmark_id, r.result_id
