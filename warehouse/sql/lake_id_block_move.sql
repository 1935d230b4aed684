-- Inside a claim's transaction: a lake's sequence moved past the block claimed (two writers doing it at once conflict
-- on commit).
UPDATE id_blocks SET next_id = $next WHERE name = $name
