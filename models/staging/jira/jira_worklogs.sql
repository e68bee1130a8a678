-- Jira worklogs are time entries. `started` carries the author's offset, so
-- its date as written is the author's local date (metrics §9.1).
-- timeSpentSeconds → hours (never the site-dependent timeSpent text). Jira
-- holds no rates and no billable flag: the hours count as worked, not billable.
-- Each payload is parsed once (json_transform), not once per field.
-- Kept as a table; each build reads only the entries changed since the last.
-- materialized: incremental
-- partition: entry_date, person_key
-- compression: fsst(entry_key, source_id, source_url) dictionary(source, person_key, project_key, task_key, task_name, approval_status)
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
WITH w AS (
    SELECT source, id, json_transform(payload, '{
        "author": {"accountId": "VARCHAR"}, "issueId": "VARCHAR", "started": "VARCHAR", "timeSpentSeconds": "VARCHAR"}') AS j
    FROM {{ source "jira" "worklogs" }}
)
SELECT
    w.source,
    w.id AS source_id,
    w.source || ':' || w.id AS entry_key,
    w.source || ':' || j.author.accountId AS person_key,
    i.project_key,
    w.source || ':' || j.issueId AS task_key,
    i.name AS task_name,
    strptime(j.started, '%Y-%m-%dT%H:%M:%S.%g%z') AS started_at,
    substr(j.started, 1, 10)::DATE AS entry_date,
    round(j.timeSpentSeconds::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    false AS billable,
    CAST(NULL AS DECIMAL(18,6)) AS bill_rate,
    CAST(NULL AS DECIMAL(18,6)) AS cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    false AS locked,
    'none' AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    CAST(NULL AS VARCHAR) AS notes,
    j.issueId AS ref_issue_id,
    upper(i.issue_key) AS ref_issue_key,
    w.id AS ref_worklog_id,
    i.site || '/browse/' || i.issue_key || '?focusedWorklogId=' || w.id AS source_url
FROM w
LEFT JOIN {{ ref "staging.jira_issues" }} i ON i.task_key = w.source || ':' || j.issueId
