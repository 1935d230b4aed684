-- The lineages the warehouse holds (a snapshot's `source`), for a question that names some (`--source-name`).
SELECT DISTINCT s.source FROM snapshots AS s ORDER BY s.source
