-- Payloads are kept once per content hash, so the store grows only with new bytes.
INSERT INTO payloads (sha256, size_bytes, content, stored_at)
VALUES ($sha256, $size_bytes, $content, $now)
ON CONFLICT (sha256) DO NOTHING
