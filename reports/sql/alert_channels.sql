-- title: Alert channels
-- Each recipient and channel alerts and scheduled reports go to: the last
-- message's status and error, the last one delivered, and how many of the
-- last 7 days failed. A failing channel shows here and never stops a build;
-- the next build retries what it could not send.
SELECT
    target,
    channel,
    arg_max(CASE WHEN ok THEN 'sent' ELSE 'failed' END, id) AS last_status,
    arg_max(error, id) AS last_error,
    max(sent_at) FILTER (WHERE ok) AS last_delivered,
    count(*) FILTER (WHERE NOT ok AND sent_at > now() - INTERVAL 7 DAY) AS failed_7d
FROM workflow.alert_deliveries
GROUP BY target, channel
ORDER BY last_status = 'sent', target
