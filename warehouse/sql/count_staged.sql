-- How many staged rows are new, changed and unchanged (a kind with none has no row).
SELECT change, count(*) FROM staged GROUP BY change
