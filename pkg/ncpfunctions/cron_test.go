package ncpfunctions_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/ncpfunctions"
	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
)

// TestCronTrigger: the reconcile schedule is a cron trigger (Put Trigger
// ?type=cron with cronOption; every 30 minutes when none is given) linked
// to the reconcile action; its feed (OpenWhisk's) is not sent to NCP.
func TestCronTrigger(t *testing.T) {
	tests := []struct {
		name, cron, want string
	}{
		{name: "the schedule given", cron: "*/15 * * * *", want: "*/15 * * * *"},
		{name: "no schedule", cron: "", want: ncpfunctions.DefaultCronOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ncpfunctionstest.New(accessKey, secretKey)
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL, "vpc")
			d := &manifest.Deployment{
				Package: manifest.PackageSpec{Name: "vodflow"},
				Actions: []manifest.ActionSpec{{Name: "reconcile", Function: "dist/lookup-category.zip", Runtime: "go:1.19", Main: "main"}},
				Triggers: []manifest.TriggerSpec{{Name: "vodflow-reconcile-schedule", Feed: "/whisk.system/alarms/alarm", Params: map[string]any{"cron": tt.cron},
					Annotations: map[string]any{ncpfunctions.AnnotationTriggerType: "cron", ncpfunctions.AnnotationCronOption: tt.cron}}},
				Rules: []manifest.RuleSpec{{Name: "vodflow-reconcile-rule", Trigger: "vodflow-reconcile-schedule", Action: "reconcile"}},
			}
			steps, err := ncpfunctions.Steps(c, d, map[string][]byte{"reconcile": codes(t)["lookup-category"]}, ncpfunctions.Settings{VPCNo: 1, SubnetNo: 2})
			require.NoError(t, err)
			var out bytes.Buffer
			require.NoError(t, deploy.Apply(context.Background(), &out, "ncp", steps, deploy.Secrets(nil)), out.String())
			var put *ncpfunctionstest.Request
			for _, r := range srv.Requests() {
				if r.Method == "PUT" && r.Path == "/triggers/vodflow-reconcile-schedule" {
					put = &r
				}
			}
			require.NotNil(t, put, "no Put Trigger")
			assert.True(t, put.SignatureOK)
			assert.Equal(t, "cron", put.Query.Get("type"))
			assert.JSONEq(t, `{"parameters":{"cron":"`+tt.cron+`"},"cronOption":"`+tt.want+`"}`, string(put.Body))
			last := srv.Requests()[len(srv.Requests())-1]
			assert.Equal(t, "/triggers/vodflow-reconcile-schedule/link-action", last.Path)
			assert.JSONEq(t, `{"action":"reconcile","package":"vodflow"}`, string(last.Body))
		})
	}
}
