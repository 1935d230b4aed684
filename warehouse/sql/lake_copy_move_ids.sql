-- `sota lake migrate`: an id sequence of the lake moved past the largest id the copied rows use (never back).
UPDATE id_blocks SET next_id = greatest(next_id, $past) WHERE name = $name
