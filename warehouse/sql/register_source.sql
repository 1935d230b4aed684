-- A lineage registered, or its description and listing kind brought up to date. MERGE rather than ON CONFLICT: a lake
-- has no keys to conflict on, and the same statement serves the file.
MERGE INTO sources AS s
USING (SELECT $name AS name, $description AS description, $full_listing AS full_listing, $now AS registered_at) AS n
ON s.name = n.name
WHEN MATCHED THEN UPDATE SET description = n.description, full_listing = n.full_listing
WHEN NOT MATCHED THEN INSERT (name, description, full_listing, registered_at)
    VALUES (n.name, n.description, n.full_listing, n.registered_at)
