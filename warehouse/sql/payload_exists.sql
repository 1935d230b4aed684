-- Whether the bytes of this hash are stored already.
SELECT count(*) > 0 FROM payloads WHERE sha256 = $sha256
