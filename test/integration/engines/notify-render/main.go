// Renders Argo CD notification templates as the notifications engine does (argoproj/notifications-engine
// pkg/templates/service.go NewService, pkg/services/webhook.go GetTemplater): Go text/template with
// sprig's TxtFuncMap less env and expandenv, executed on the trigger's vars.
// stdin: {"templates": {"<name>": "<template text>"}, "vars": {...}}; stdout: {"<name>": "<rendered>" | {"error": "..."}}.
package main

import (
	"bytes"
	"encoding/json"
	"os"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

func main() {
	var in struct {
		Templates map[string]string `json:"templates"`
		Vars      map[string]any    `json:"vars"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	out := map[string]any{}
	for name, text := range in.Templates {
		t, err := template.New(name).Funcs(f).Parse(text)
		if err != nil {
			out[name] = map[string]string{"error": err.Error()}
			continue
		}
		var b bytes.Buffer
		if err := t.Execute(&b, in.Vars); err != nil {
			out[name] = map[string]string{"error": err.Error()}
			continue
		}
		out[name] = b.String()
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
