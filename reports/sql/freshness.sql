-- title: Data freshness by source and stream
SELECT
    source,
    stream,
    max(finished_at) FILTER (WHERE status = 'ok') AS last_success,
    max(started_at) AS last_attempt,
    arg_max(status, started_at) AS last_status,
    arg_max(error, started_at) AS last_error,
    sum(records) FILTER (WHERE status = 'ok') AS records_synced
FROM meta.sync_runs
GROUP BY source, stream
ORDER BY source, stream
