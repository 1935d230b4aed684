DELETE FROM consolidated_results WHERE benchmark_id IN (SELECT s.benchmark_id FROM frontier_scope AS s)
