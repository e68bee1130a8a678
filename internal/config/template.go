package config

import _ "embed"

// Template is the commented conflux.yaml that `conflux init` writes.
//
//go:embed template.yaml
var Template []byte
