// Package inputs is finance's inputs as the Settings page edits them: the
// rows of costs, rate cards, project terms, milestones, budgets, targets and FX
// rates, wherever they live — a files source's CSV or XLSX file, where an
// edit is written back into the file (checked whole first, as a sync would),
// or meta.inputs when no files source is configured — each edit recorded
// in meta.input_edits with who and when.
package inputs
