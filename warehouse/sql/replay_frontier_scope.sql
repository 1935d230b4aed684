-- When a replay ends: the benchmarks to rank anew, those its lineages were on before and those they are on now.
CREATE OR REPLACE TEMP TABLE frontier_scope AS
SELECT benchmark_id FROM replay_scope
UNION
SELECT DISTINCT r.benchmark_id FROM results AS r WHERE r.source IN (SELECT source FROM replay_lineages);
DROP TABLE replay_scope;
DROP TABLE replay_lineages;
