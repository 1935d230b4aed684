-- The benchmarks whose visible results a snapshot changed (a version started or ended in it), and those whose
-- direction it moved (`direction_moves`, made by the load before its directions were updated): ranked anew.
CREATE OR REPLACE TEMP TABLE frontier_scope AS
SELECT DISTINCT r.benchmark_id
FROM results AS r
WHERE r.first_snapshot_id = $snapshot_id OR r.removed_by_snapshot_id = $snapshot_id
UNION
SELECT m.benchmark_id FROM direction_moves AS m
