-- What a load needs to know of the benchmarks already held: their units, and whether their direction was decided
-- from evidence (direction_why set) or by an earlier version's name rules (NULL: decided again by this load).
SELECT b.benchmark_key, b.task, b.dataset, b.metric, b.unit, b.direction_why IS NULL AS undecided
FROM benchmarks AS b
