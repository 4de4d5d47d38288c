package owdeploy_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/openwhisktest"
	"github.com/vodflow/vodflow/pkg/owdeploy"
)

// TestFeedTrigger: a trigger with a feed (the reconcile schedule on the
// alarms feed) is created as the wsk CLI does: the trigger annotated with
// its feed, then the feed invoked with DELETE (a redeploy) and CREATE,
// the trigger's name, the key and the cron expression; the dry run never
// shows the key. Undeploying deletes the feed before the trigger.
func TestFeedTrigger(t *testing.T) {
	tests := []struct {
		name     string
		params   map[string]any
		wantCron string
	}{
		{name: "the schedule given", params: map[string]any{"cron": "*/15 * * * *"}, wantCron: "*/15 * * * *"},
		{name: "no schedule: every 30 minutes", params: map[string]any{}, wantCron: "*/30 * * * *"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openwhisktest.New(auth)
			t.Cleanup(srv.Close)
			cli, err := owdeploy.NewClient(owdeploy.Config{APIHost: srv.URL, Auth: auth})
			require.NoError(t, err)
			d := &manifest.Deployment{
				Package:  manifest.PackageSpec{Name: "vodflow"},
				Triggers: []manifest.TriggerSpec{{Name: "vodflow-reconcile-schedule", Feed: "/whisk.system/alarms/alarm", Params: tt.params}},
			}
			var out bytes.Buffer
			steps := owdeploy.Steps(cli, d, nil, owdeploy.DefaultKind)
			require.NoError(t, deploy.Apply(context.Background(), &out, "openwhisk", steps, deploy.Secrets(nil)))
			reqs := srv.Requests()
			require.Len(t, reqs, 4, "package, trigger, feed DELETE, feed CREATE")
			assert.Equal(t, "PUT triggers/vodflow-reconcile-schedule", reqs[1].Method+" "+reqs[1].Path)
			assert.Contains(t, string(reqs[1].Body), `{"key":"feed","value":"/whisk.system/alarms/alarm"}`)
			for i, event := range []string{"DELETE", "CREATE"} {
				r := reqs[2+i]
				assert.Equal(t, "POST", r.Method)
				assert.Equal(t, openwhisktest.SystemPrefix+"alarms/alarm", r.Path)
				var body map[string]any
				require.NoError(t, r.JSON(&body))
				assert.Equal(t, event, body["lifecycleEvent"])
				assert.Equal(t, "/_/vodflow-reconcile-schedule", body["triggerName"])
				assert.Equal(t, auth, body["authKey"])
				if event == "CREATE" {
					assert.Equal(t, tt.wantCron, body["cron"])
				}
			}
			var shown bytes.Buffer
			deploy.PrintPlan(&shown, "openwhisk", steps)
			assert.Contains(t, shown.String(), tt.wantCron)
			assert.NotContains(t, shown.String(), strings.SplitN(auth, ":", 2)[1])

			srv2 := openwhisktest.New(auth)
			t.Cleanup(srv2.Close)
			cli2, err := owdeploy.NewClient(owdeploy.Config{APIHost: srv2.URL, Auth: auth})
			require.NoError(t, err)
			out.Reset()
			_ = deploy.Apply(context.Background(), &out, "openwhisk", owdeploy.UndeploySteps(cli2, d), deploy.Secrets(nil))
			ureqs := srv2.Requests()
			require.GreaterOrEqual(t, len(ureqs), 3)
			assert.Equal(t, "GET triggers/vodflow-reconcile-schedule", ureqs[0].Method+" "+ureqs[0].Path)
			assert.Equal(t, "POST "+openwhisktest.SystemPrefix+"alarms/alarm", ureqs[1].Method+" "+ureqs[1].Path)
			assert.Equal(t, "DELETE triggers/vodflow-reconcile-schedule", ureqs[2].Method+" "+ureqs[2].Path)
		})
	}
}
