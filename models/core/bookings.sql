-- Scheduled work (person × project × day). No connector feeds it yet; the
-- table exists so marts and user SQL can rely on it.
SELECT
    CAST(NULL AS VARCHAR) AS person_key,
    CAST(NULL AS VARCHAR) AS project_key,
    CAST(NULL AS DATE) AS date,
    CAST(NULL AS DECIMAL(12,4)) AS hours,
    CAST(NULL AS BOOLEAN) AS tentative,
    CAST(NULL AS VARCHAR) AS source
WHERE false
