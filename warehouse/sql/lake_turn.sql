-- The lake's commit turn now (warehouse.statements._take_commit_turn).
SELECT max(turn) FROM commit_turns
