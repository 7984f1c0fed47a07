// kube-controller-manager as upstream builds it (k8s.io/kubernetes/cmd/kube-controller-manager/
// controller-manager.go): the suites need its ClusterRole aggregation (admin/edit/view get their rules
// from it), ResourceQuota status (quota admission refuses while status is unknown) and service accounts.
package main

import (
	"os"
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
