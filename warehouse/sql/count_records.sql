-- How many new-SOTA records `records.sql` would list without its limit.
SELECT count(*)
FROM sota_records AS r
WHERE ($task IS NULL OR r.task = $task) AND ($dataset IS NULL OR r.dataset = $dataset)
  AND ($metric IS NULL OR r.metric = $metric)
