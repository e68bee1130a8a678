// Package alerts evaluates the rules of conflux.yaml's alerts: after every
// build and delivers what they find: one digest per recipient by email
// (SMTP), and one message per Slack, Teams or signed JSON webhook channel.
// workflow.alerts keeps each alert's life and workflow.alert_sent what each
// recipient was last told, so an alert is sent when it opens, again only
// when it worsens or its repeat interval passes, and once when it clears;
// a send that fails is retried with back-off and, failing still, by the
// next run.
package alerts
