-- Inside a claim's transaction: the next id of a lake's sequence no writer has claimed.
SELECT next_id FROM id_blocks WHERE name = $name
