SELECT count(*) FROM staged WHERE change = $change
