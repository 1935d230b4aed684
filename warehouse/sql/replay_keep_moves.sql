-- In a replay, after each snapshot: the benchmarks whose direction it moved join those ranked anew at the end.
INSERT INTO replay_scope SELECT benchmark_id FROM direction_moves;
DROP TABLE direction_moves;
