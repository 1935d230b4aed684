-- `sota benchmarks`: every benchmark with its results by latest knowledge and the sources (lineages) that report it.
-- A name is mapped when it is a canonical name of the alias registry or a Papers with Code name (a payload of a PwC
-- kind reports it, whatever lineage it was loaded under).
WITH counted AS (
    SELECT
        b.benchmark_id, b.task, b.dataset, b.metric, b.direction, b.unit,
        count(r.result_id) AS results,
        list(DISTINCT r.source ORDER BY r.source) FILTER (WHERE r.source IS NOT NULL) AS sources,
        bool_or(s.kind IN ('pwc-dump', 'pwc-api')) AS from_pwc
    FROM benchmarks AS b
    LEFT JOIN results AS r ON r.benchmark_id = b.benchmark_id AND r.removed_at IS NULL
    LEFT JOIN snapshots AS s ON s.snapshot_id = r.first_snapshot_id
    GROUP BY ALL
)
SELECT * FROM (
    SELECT
        c.task, c.dataset, c.metric, c.direction, c.unit, c.results, c.sources,
        coalesce(c.from_pwc, false)
            OR (list_contains($canonical_tasks, c.task) AND list_contains($canonical_datasets, c.dataset)
                AND list_contains($canonical_metrics, c.metric)) AS mapped
    FROM counted AS c
    WHERE ($task IS NULL OR c.task = $task) AND ($dataset IS NULL OR c.dataset = $dataset)
) AS listed
WHERE NOT $unmapped_only OR NOT listed.mapped
ORDER BY listed.task, listed.dataset, listed.metric
