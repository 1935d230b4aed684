-- Payloads are kept once per content hash, so the store grows only with new bytes (`payload_exists` is asked
-- first: DuckDB's ON CONFLICT on a large BLOB cost a second and 150 MB for a 28 MB payload, a plain insert a tenth).
INSERT INTO payloads (sha256, size_bytes, content, stored_at)
VALUES ($sha256, $size_bytes, $content, $now)
