-- Which of these locations a lineage already holds a snapshot of (loaded, unchanged or failed).
SELECT DISTINCT s.location
FROM snapshots AS s
WHERE s.source = $source AND list_contains(CAST($locations AS VARCHAR[]), s.location)
