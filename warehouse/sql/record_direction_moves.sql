-- Before the directions are updated: the benchmarks whose direction this load moves, so that their frontier is
-- computed again in the same transaction.
CREATE OR REPLACE TEMP TABLE direction_moves AS
SELECT b.benchmark_id
FROM benchmarks AS b
JOIN incoming_directions AS d ON d.benchmark_key = b.benchmark_key
WHERE b.direction IS DISTINCT FROM d.direction
