-- When the newest snapshot that loaded (or was seen again) was observed: the age of an answer over every benchmark.
SELECT max(observed_at) FROM snapshots WHERE status <> 'failed'
