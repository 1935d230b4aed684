-- `sota export`: every result version as the record stood at the end of $as_of (NULL: everything). A version first
-- seen later is left out; a removal or a sighting after it is undone (the last sighting becomes the latest snapshot of
-- the same source observed by then).
SELECT
    r.* REPLACE (
        CASE WHEN $as_of IS NULL OR r.last_seen_at <= sw_known_instant($as_of) THEN r.last_seen_at
             ELSE coalesce((SELECT max(s.observed_at) FROM snapshots AS s
                            WHERE s.source = r.source AND s.status <> 'failed'
                              AND s.snapshot_id >= r.first_snapshot_id
                              AND s.observed_at <= sw_known_instant($as_of)), r.first_seen_at)
        END AS last_seen_at,
        CASE WHEN $as_of IS NULL OR r.last_seen_at <= sw_known_instant($as_of) THEN r.last_snapshot_id
             ELSE coalesce((SELECT max(s.snapshot_id) FROM snapshots AS s
                            WHERE s.source = r.source AND s.status <> 'failed'
                              AND s.snapshot_id >= r.first_snapshot_id
                              AND s.observed_at <= sw_known_instant($as_of)), r.first_snapshot_id)
        END AS last_snapshot_id,
        CASE WHEN $as_of IS NULL OR r.removed_at <= sw_known_instant($as_of) THEN r.removed_at END AS removed_at,
        CASE WHEN $as_of IS NULL OR r.removed_at <= sw_known_instant($as_of) THEN r.removed_by_snapshot_id END
            AS removed_by_snapshot_id
    )
FROM results AS r
WHERE $as_of IS NULL OR r.first_seen_at <= sw_known_instant($as_of)
ORDER BY r.source, r.benchmark_id, r.result_id
