-- `sota lake migrate`: the lake's id sequences (warehouse/lake.py: claim_id_blocks), to move past the copied ids.
SELECT name FROM id_blocks ORDER BY name
