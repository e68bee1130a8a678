-- Time entries from a files source (connectors/files): Conflux's
-- time_entries file, Toggl's detailed report CSV, Harvest's detailed time
-- export. A person is their email (or, from Harvest's export, their name),
-- a project its code or name: core.xref joins both to the same person and
-- project in the other tools. A spreadsheet keeps no billing state; a row
-- that says billable or gives a rate keeps it (billable_stated), and one
-- on a project another time tool holds is priced with that project's terms
-- otherwise (core.time_entries). entry_key names the file and row's place.
-- test: unique(entry_key)
-- test: not_null(entry_key, person_key, entry_date, hours)
SELECT
    source,
    id AS source_id,
    source || ':' || id AS entry_key,
    source || ':' || lower(coalesce(payload->>'person', payload->>'person_name')) AS person_key,
    source || ':' || lower(payload->>'project') AS project_key,
    CASE WHEN payload->>'task' IS NOT NULL THEN source || ':' || lower(payload->>'project') || '/' || lower(payload->>'task') END AS task_key,
    payload->>'task' AS task_name,
    CAST(NULL AS TIMESTAMPTZ) AS started_at,
    (payload->>'date')::DATE AS entry_date,
    (payload->>'hours')::DECIMAL(12,4) AS hours,
    CAST(NULL AS DECIMAL(12,4)) AS hours_rounded,
    coalesce((payload->>'billable')::BOOLEAN, true) AS billable,
    (payload->>'billable')::BOOLEAN AS billable_stated,
    (payload->>'rate')::DECIMAL(18,6) AS bill_rate,
    (payload->>'cost_rate')::DECIMAL(18,6) AS cost_rate,
    false AS is_billed,
    CAST(NULL AS VARCHAR) AS invoice_key,
    false AS locked,
    'none' AS approval_status,
    false AS is_running,
    false AS time_off_hint,
    concat_ws(' — ', payload->>'notes', (payload->>'file') || coalesce(' sheet ' || (payload->>'sheet'), '') || ' row ' || (payload->>'row')) AS notes,
    CAST(NULL AS VARCHAR) AS source_url
FROM {{ source "files" "time_entries" }}
WHERE (payload->>'hours')::DECIMAL(12,4) >= 0
