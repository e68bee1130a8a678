// Package dashboards serves the dashboards, the report API and the refresh
// API over the standard library's HTTP server. Dashboards are data: each
// panel names a report and a chart kind, and the chart's shape comes from the
// report's columns. Templates are parsed once at start-up; charts are
// go-echarts snippets in our own layout, and the echarts JavaScript is
// embedded in the binary, so the pages work offline.
package dashboards
