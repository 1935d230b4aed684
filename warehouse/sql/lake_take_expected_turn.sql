-- Inside a lake transaction: take the next commit turn only if it is still the one read before the work began; no row
-- updated means another writer committed in between.
UPDATE commit_turns SET turn = turn + 1 WHERE turn = $expected
