-- `sota lake migrate`: when the record's snapshots were current, oldest first: the moments its answers are compared at.
SELECT DISTINCT observed_at FROM snapshots ORDER BY observed_at
