-- `sota snapshots`: how many there are in all, to say when a listing is cut.
SELECT count(*) FROM snapshots WHERE ($source IS NULL OR source = $source)
