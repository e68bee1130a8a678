-- Alerts (README "Alerts and scheduled delivery"). workflow.alerts is what the
-- rules find: one row per (rule, key) with its life; workflow.alert_sent is what
-- each recipient or channel was last told of it, so a build that finds the
-- same thing sends nothing and a failed send is retried by the next build;
-- workflow.alert_deliveries logs every message, failed ones with their error.
-- No secret is kept here: channels are named, never by their URL.
CREATE TABLE workflow.alerts (
    rule            VARCHAR NOT NULL,
    key             VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,     -- info, warning, critical
    title           VARCHAR NOT NULL,
    detail          VARCHAR,
    link            VARCHAR,              -- the page that explains it, relative to the server
    level           INTEGER NOT NULL,     -- the band: higher is worse
    amount          DOUBLE,               -- what grows as it worsens
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL,
    resolved_at     TIMESTAMPTZ,          -- NULL while the rule finds it
    snoozed_until   TIMESTAMPTZ,
    acknowledged_by VARCHAR,
    acknowledged_at TIMESTAMPTZ,
    PRIMARY KEY (rule, key)
);

CREATE TABLE workflow.alert_sent (
    rule    VARCHAR NOT NULL,
    key     VARCHAR NOT NULL,
    target  VARCHAR NOT NULL,             -- email:ADDRESS or the channel's name
    state   VARCHAR NOT NULL,             -- open, resolved
    level   INTEGER NOT NULL,
    amount  DOUBLE,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule, key, target)
);

CREATE SEQUENCE workflow.alert_delivery_id START 1;
CREATE TABLE workflow.alert_deliveries (
    id         BIGINT PRIMARY KEY DEFAULT nextval('workflow.alert_delivery_id'),
    sent_at    TIMESTAMPTZ NOT NULL,
    target     VARCHAR NOT NULL,
    channel    VARCHAR NOT NULL,          -- email, slack, teams, webhook
    subject    VARCHAR NOT NULL,
    alerts     INTEGER NOT NULL,          -- how many alerts the message carried
    attempts   INTEGER NOT NULL,
    ok         BOOLEAN NOT NULL,
    error      VARCHAR,
    message_id VARCHAR                    -- the mail's Message-ID, or the receiver's reply
);
