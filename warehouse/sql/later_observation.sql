-- The newest snapshot of a lineage observed after $observed_at, if any: a payload observed earlier than what the
-- lineage holds cannot simply be appended (it would end versions it did not see end), so the lineage is replayed.
SELECT max(s.observed_at)
FROM snapshots AS s
WHERE s.source = $source AND s.observed_at > $observed_at
