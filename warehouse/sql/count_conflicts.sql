-- `sota conflicts`: how many there are in all, to say when a listing is cut.
SELECT count(*) FROM conflicts WHERE ($task IS NULL OR task = $task) AND ($dataset IS NULL OR dataset = $dataset)
