// Package files reads an agency's spreadsheets as a source: the CSV and
// XLSX files of one folder, each table recognised by its header as one of
// the known shapes (people's costs, rate cards, project terms, milestones,
// targets, FX rates, time entries — Conflux's own template, or Harvest's
// and Toggl's detailed time exports). Every row is a record of the shape's
// stream, kept with its file, sheet and row for the link back.
//
// A file is read whole or not at all: every problem in it (a bad number, a
// missing column, overlapping effective dates, an unknown person) is
// reported at once with its file, sheet, row and column, and the file's
// previous good version stays in use. The cursor is each file's content
// hash, so an unchanged file costs one hash; a changed file replaces its
// rows in one page (one transaction), and a removed file removes them.
package files
