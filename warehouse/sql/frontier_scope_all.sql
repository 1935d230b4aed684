CREATE OR REPLACE TEMP TABLE frontier_scope AS SELECT b.benchmark_id FROM benchmarks AS b
