// Evaluates JMESPath as Grafana's generic OAuth does (pkg/util/json.go: github.com/jmespath-community/go-jmespath).
module pr-cybr.example/grafana-jmespath

go 1.22

require github.com/jmespath-community/go-jmespath v1.1.1

require golang.org/x/exp v0.0.0-20230314191032-db074128a8ec // indirect
