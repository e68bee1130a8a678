package connectors

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// DecodeArray reads a JSON array of objects in one pass into records keyed
// by idField (a string or a number), each payload the object's bytes as
// sent. An empty body or null is an empty array; anything else that is not
// an array of identified objects is ErrMalformed.
func DecodeArray(body []byte, idField string) ([]Record, error) {
	if b := bytes.TrimSpace(body); len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, fmt.Errorf("%w: expected a JSON array", ErrMalformed)
	}
	var records []Record
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err != nil {
			return nil, fmt.Errorf("%w: item %d: %v", ErrMalformed, i, err)
		}
		id := string(bytes.Trim(obj[idField], `"`))
		if id == "" || id == "null" {
			return nil, fmt.Errorf("%w: item %d has no %s", ErrMalformed, i, idField)
		}
		records = append(records, Record{ID: id, Payload: bytes.TrimLeft(body[start:dec.InputOffset()], ", \t\r\n")})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return records, nil
}
