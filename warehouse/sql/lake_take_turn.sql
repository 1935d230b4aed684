-- Inside a lake transaction: take the next commit turn, whatever it is (two overlapping writers conflict on commit).
UPDATE commit_turns SET turn = turn + 1
