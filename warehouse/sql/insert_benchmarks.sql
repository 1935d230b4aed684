-- Benchmarks seen for the first time, matched by their spelling-blind key; the spelling shown and the unit come from
-- the first load that names them, the direction from the evidence (incoming_directions, updated by later loads).
-- The id is given here, not by a column default: a lake has no sequences behind its columns.
INSERT INTO benchmarks (benchmark_id, task, dataset, metric, direction, unit, benchmark_key, board_key, direction_why)
SELECT nextval('benchmark_ids'), arg_min(i.task, i.row_ref), arg_min(i.dataset, i.row_ref), arg_min(i.metric, i.row_ref),
       any_value(i.direction), max(i.unit), i.benchmark_key, any_value(i.board_key),
       (SELECT any_value(d.why) FROM incoming_directions AS d WHERE d.benchmark_key = i.benchmark_key)
FROM incoming AS i
WHERE NOT EXISTS (SELECT 1 FROM benchmarks AS b WHERE b.benchmark_key = i.benchmark_key)
GROUP BY i.benchmark_key
