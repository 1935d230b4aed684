-- How old each benchmark's data is: the newest observation (a snapshot's observed_at) of any result version on it,
-- by latest knowledge ($known_at NULL) or as known at an instant (versions shown then, sightings up to then); only the
-- benchmarks an answer shows ($names: "task<US>dataset<US>metric"), so one board's answer reads one board's versions;
-- and, for an answer as some lineages published it ($sources; NULL: every lineage), only theirs.
SELECT b.task, b.dataset, b.metric,
       max(CASE WHEN $known_at IS NULL THEN r.last_seen_at
                ELSE least(r.last_seen_at, sw_known_instant($known_at)) END) AS data_observed_at
FROM results AS r
JOIN benchmarks AS b ON b.benchmark_id = r.benchmark_id
WHERE list_contains($names, concat_ws(chr(31), b.task, b.dataset, b.metric))
  AND ($sources IS NULL OR list_contains($sources, r.source))
  AND CASE WHEN $known_at IS NULL THEN r.removed_at IS NULL
           ELSE r.first_seen_at <= sw_known_instant($known_at)
                AND (r.removed_at IS NULL OR r.removed_at > sw_known_instant($known_at)) END
GROUP BY b.task, b.dataset, b.metric
