package files

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// errUnusual sends a workbook the fast reader does not expect to excelize.
var errUnusual = errors.New("not a plain workbook")

// readXLSXFast reads a workbook's sheets the way readXLSX does, about ten
// times faster: excelize decodes every cell through encoding/xml, which
// caps a 100,000-row sheet at some 40,000 rows a second, while a sheet's
// XML is regular enough to scan. Anything it does not expect returns
// errUnusual, and readXLSX reads the workbook with excelize instead; the
// tests hold both readers to the same rows.
func readXLSXFast(data []byte) ([]table, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errUnusual
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := parts[name]
		if !ok {
			return nil, errUnusual
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	body, err := read("xl/workbook.xml")
	if err != nil || xml.Unmarshal(body, &wb) != nil {
		return nil, errUnusual
	}
	if body, err = read("xl/_rels/workbook.xml.rels"); err != nil || xml.Unmarshal(body, &rels) != nil {
		return nil, errUnusual
	}
	target := map[string]string{}
	for _, r := range rels.Rel {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	var shared []string
	if _, ok := parts["xl/sharedStrings.xml"]; ok {
		body, err := read("xl/sharedStrings.xml")
		if err != nil {
			return nil, errUnusual
		}
		for _, si := range elements(body, "si") {
			shared = append(shared, elementText(si))
		}
	}
	var out []table
	for _, s := range wb.Sheets {
		body, err := read(target[s.RID])
		if err != nil {
			return nil, errUnusual
		}
		rows, err := sheetRows(body, shared)
		if err != nil {
			return nil, err
		}
		out = append(out, table{Sheet: s.Name, Rows: rows, SerialDates: true})
	}
	return out, nil
}

// sheetRows scans a worksheet's <row> and <c> elements, the rows in as
// many parts as there are processors.
func sheetRows(body []byte, shared []string) ([][]string, error) {
	data := body
	if i := bytes.Index(data, []byte("<sheetData")); i >= 0 {
		data = data[i:]
	}
	found := elements(data, "row")
	if len(found) == 0 && bytes.Contains(data, []byte(":row")) {
		return nil, errUnusual // a namespace prefix on every element
	}
	numbers := make([]int, len(found)) // each row's r attribute, 0 if none
	cells := make([][]string, len(found))
	parts := min(runtime.GOMAXPROCS(0), 1+len(found)/5000)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := p * len(found) / parts; i < (p+1)*len(found)/parts; i++ {
				if numbers[i], cells[i], errs[p] = sheetRow(found[i], shared); errs[p] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, errUnusual
	}
	var rows [][]string
	for i, c := range cells {
		for len(rows) < numbers[i]-1 {
			rows = append(rows, nil) // rows the sheet skips are blank
		}
		rows = append(rows, c)
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, nil
}

// sheetRow reads one <row>: its number (0 when it has none) and its cells,
// without trailing blanks.
func sheetRow(row []byte, shared []string) (int, []string, error) {
	attrs, inner := split(row)
	if bytes.IndexByte(attrs, '\'') >= 0 {
		return 0, nil, errUnusual
	}
	n, err := strconv.Atoi(attr(attrs, "r"))
	if err != nil {
		n = 0
	}
	var cells []string
	for _, c := range elements(inner, "c") {
		cattrs, cinner := split(c)
		if bytes.IndexByte(cattrs, '\'') >= 0 || bytes.ContainsAny(cattrs, "\t\n\r") {
			return 0, nil, errUnusual
		}
		col := len(cells)
		if ref := attr(cattrs, "r"); ref != "" {
			col = 0
			for i := 0; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
				col = col*26 + int(ref[i]-'A'+1)
			}
			col--
		}
		if col < len(cells) || col < 0 {
			return 0, nil, errUnusual
		}
		var v string
		switch attr(cattrs, "t") {
		case "s":
			k, err := strconv.Atoi(strings.TrimSpace(elementText(first1(cinner, "v"))))
			if err != nil || k < 0 || k >= len(shared) {
				return 0, nil, errUnusual
			}
			v = shared[k]
		case "inlineStr":
			v = elementText(first1(cinner, "is"))
		default:
			v = elementText(first1(cinner, "v"))
		}
		for len(cells) < col {
			cells = append(cells, "")
		}
		cells = append(cells, v)
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return n, cells, nil
}

// elements returns each <name …>…</name> or <name …/> in data, whole.
func elements(data []byte, name string) [][]byte {
	open := []byte("<" + name)
	closeTag := []byte("</" + name + ">")
	var out [][]byte
	for {
		i := bytes.Index(data, open)
		if i < 0 {
			return out
		}
		rest := data[i+len(open):]
		if len(rest) == 0 || (rest[0] != ' ' && rest[0] != '>' && rest[0] != '/' && rest[0] != '\t' && rest[0] != '\n' && rest[0] != '\r') {
			data = rest // <rowBreaks>, <cols> …: another element
			continue
		}
		gt := bytes.IndexByte(rest, '>')
		if gt < 0 {
			return out
		}
		if gt > 0 && rest[gt-1] == '/' {
			out = append(out, data[i:i+len(open)+gt+1])
			data = rest[gt+1:]
			continue
		}
		j := bytes.Index(rest, closeTag)
		if j < 0 {
			return out
		}
		out = append(out, data[i:i+len(open)+j+len(closeTag)])
		data = rest[j+len(closeTag):]
	}
}

// split is an element's attributes and its content.
func split(el []byte) (attrs, inner []byte) {
	gt := bytes.IndexByte(el, '>')
	if gt < 0 {
		return nil, nil
	}
	if el[gt-1] == '/' {
		return el[:gt-1], nil
	}
	end := bytes.LastIndex(el, []byte("</"))
	if end < gt {
		return el[:gt], nil
	}
	return el[:gt], el[gt+1 : end]
}

// attr is the value of attribute name in an element's start tag.
func attr(attrs []byte, name string) string {
	key := []byte(" " + name + `="`)
	i := bytes.Index(attrs, key)
	if i < 0 {
		return ""
	}
	rest := attrs[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// first1 is the first <name> element in data, or nil.
func first1(data []byte, name string) []byte {
	els := elements(data, name)
	if len(els) == 0 {
		return nil
	}
	return els[0]
}

// elementText is the concatenated text of the <t> elements in el (a shared or
// inline string, rich text runs included, phonetic guides left out), or
// el's own text when it has none (a <v>).
func elementText(el []byte) string {
	if el == nil {
		return ""
	}
	_, inner := split(el)
	if bytes.Contains(inner, []byte("<rPh")) {
		var kept []byte
		for _, part := range bytes.SplitAfter(inner, []byte("</rPh>")) {
			if i := bytes.Index(part, []byte("<rPh")); i >= 0 {
				part = part[:i]
			}
			kept = append(kept, part...)
		}
		inner = kept
	}
	if !bytes.Contains(inner, []byte("<t")) {
		return unescape(inner)
	}
	var b strings.Builder
	for _, t := range elements(inner, "t") {
		_, s := split(t)
		b.WriteString(unescape(s))
	}
	return b.String()
}

func unescape(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	return html.UnescapeString(string(b))
}
