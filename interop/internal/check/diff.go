package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// LineDiff returns "" when a and b are equal, otherwise one unified-style hunk
// covering the region between their common leading and trailing lines, with
// `context` unchanged lines before it and at most `max` lines shown from each
// side. A single hunk is enough to point at the first difference, which is
// what a failing interop check needs to show.
func LineDiff(a, b string, context, max int) string {
	if a == b {
		return ""
	}
	la := strings.Split(a, "\n")
	lb := strings.Split(b, "\n")
	pre := 0
	for pre < len(la) && pre < len(lb) && la[pre] == lb[pre] {
		pre++
	}
	suf := 0
	for suf < len(la)-pre && suf < len(lb)-pre && la[len(la)-1-suf] == lb[len(lb)-1-suf] {
		suf++
	}
	start := max0(pre - context)
	endA, endB := len(la)-suf, len(lb)-suf
	var sb strings.Builder
	fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d @@\n", start+1, endA-start, start+1, endB-start)
	for _, l := range la[start:pre] {
		sb.WriteString("  " + l + "\n")
	}
	side := func(lines []string, mark string) {
		for i, l := range lines {
			if i == max {
				fmt.Fprintf(&sb, "%s ... %d more lines\n", mark, len(lines)-max)
				return
			}
			sb.WriteString(mark + " " + l + "\n")
		}
	}
	side(la[pre:endA], "-")
	side(lb[pre:endB], "+")
	return strings.TrimSuffix(sb.String(), "\n")
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// FirstJSONDifference returns "" when the two JSON documents hold the same
// data, otherwise the path of the first difference in document order and the
// two values there, abbreviated. It is used to explain why two pdata
// encodings that should be equal are not.
func FirstJSONDifference(a, b []byte) string {
	va, err := decodeJSON(a)
	if err != nil {
		return "first document: " + err.Error()
	}
	vb, err := decodeJSON(b)
	if err != nil {
		return "second document: " + err.Error()
	}
	return firstDiff("$", va, vb)
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func firstDiff(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, dup := x[k]; !dup {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			va, inA := x[k]
			vb, inB := y[k]
			switch {
			case !inA:
				return fmt.Sprintf("%s.%s: absent vs %s", path, k, abbrev(vb))
			case !inB:
				return fmt.Sprintf("%s.%s: %s vs absent", path, k, abbrev(va))
			}
			if d := firstDiff(path+"."+k, va, vb); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			if d := firstDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		if len(x) != len(y) {
			return fmt.Sprintf("%s: %d elements vs %d", path, len(x), len(y))
		}
		return ""
	}
	if reflect.DeepEqual(a, b) {
		return ""
	}
	return fmt.Sprintf("%s: %s vs %s", path, abbrev(a), abbrev(b))
}

func abbrev(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	const limit = 120
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}
