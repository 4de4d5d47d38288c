// Command reconcile is vodflow's scheduled action (a cron trigger on NCP,
// the alarms feed on OpenWhisk): it lists the upload bucket and submits,
// once, each upload VOD Station never received (pkg/reconcile).
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/reconcile"
)

func main() {
	action.Main("reconcile", reconcile.New(reconcile.StorageLister()).Handler())
}
