-- The bytes a snapshot was loaded from, kept by their hash.
SELECT content FROM payloads WHERE sha256 = $sha256
