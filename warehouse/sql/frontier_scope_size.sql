-- How many benchmarks the derived layers must be recomputed for (none: nothing to do).
SELECT count(*) FROM frontier_scope
