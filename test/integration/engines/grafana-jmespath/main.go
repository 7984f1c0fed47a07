// grafana-jmespath reads {"expression", "data", "as"} lines on stdin and answers each with
// {"value"} or {"error"}, the way Grafana reads an attribute path from an ID token or userinfo
// (grafana/grafana pkg/util/json.go, SearchJSONForStringAttr and SearchJSONForStringSliceAttr): a
// string attribute is the search's result when it is a string and "" otherwise; a slice attribute is
// the result's string elements, [] when it is no array; a search error is an error.
package main

import (
	"bufio"
	"encoding/json"
	"os"

	"github.com/jmespath-community/go-jmespath"
)

type query struct {
	Expression string `json:"expression"`
	Data       any    `json:"data"`
	As         string `json:"as"`
}

type answer struct {
	Value any    `json:"value"`
	Error string `json:"error,omitempty"`
}

func evaluate(q query) answer {
	found, err := jmespath.Search(q.Expression, q.Data)
	if err != nil {
		return answer{Error: err.Error()}
	}
	if q.As == "slice" {
		out := []string{}
		if items, ok := found.([]any); ok {
			for _, item := range items {
				if s, ok := item.(string); ok {
					out = append(out, s)
				}
			}
		}
		return answer{Value: out}
	}
	s, _ := found.(string)
	return answer{Value: s}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q query
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			_ = out.Encode(answer{Error: "bad query: " + err.Error()})
			continue
		}
		_ = out.Encode(evaluate(q))
	}
}
