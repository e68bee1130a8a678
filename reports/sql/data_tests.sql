-- title: Data tests of the last build
-- Each data test's latest result: failing rows and the error, failures first.
SELECT model, test, status, failures, error, run_at
FROM meta.test_results
QUALIFY row_number() OVER (PARTITION BY model, test ORDER BY run_at DESC) = 1
ORDER BY status = 'pass', model, test
