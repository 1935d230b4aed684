-- The current transaction's id: asked twice, it is the same only inside an open transaction (in autocommit mode
-- every statement is a transaction of its own). Writers of records use this to refuse to run outside the load's.
SELECT txid_current()
