-- Jira worklogs are time entries. `started` carries the author's offset, so
-- its date as written is the author's local date (metrics §9.1).
-- timeSpentSeconds → hours (never the site-dependent timeSpent text). Jira
-- holds no rates and no billable flag: the hours count as worked, not billable.
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
SELECT
    w.source,
    w.id AS source_id,
    w.source || ':' || w.id AS entry_key,
    w.source || ':' || (w.payload->'author'->>'accountId') AS person_key,
    i.project_key,
    w.source || ':' || (w.payload->>'issueId') AS task_key,
    i.name AS task_name,
    strptime(w.payload->>'started', '%Y-%m-%dT%H:%M:%S.%g%z') AS started_at,
    substr(w.payload->>'started', 1, 10)::DATE AS entry_date,
    round((w.payload->>'timeSpentSeconds')::BIGINT / 3600.0, 4)::DECIMAL(12,4) AS hours,
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
    w.payload->>'issueId' AS ref_issue_id,
    upper(i.issue_key) AS ref_issue_key,
    w.id AS ref_worklog_id,
    i.site || '/browse/' || i.issue_key || '?focusedWorklogId=' || w.id AS source_url,
    w.updated_at
FROM {{ source "jira" "worklogs" }} w
LEFT JOIN {{ ref "staging.jira_issues" }} i ON i.task_key = w.source || ':' || (w.payload->>'issueId')
