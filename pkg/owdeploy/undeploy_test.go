package owdeploy_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/openwhisktest"
	"github.com/vodflow/vodflow/pkg/owdeploy"
	"github.com/vodflow/vodflow/pkg/redact"
)

func TestUndeployRemovesInReverseOrder(t *testing.T) {
	tests := []struct {
		name     string
		deployed bool
		gone     int
	}{
		{name: "after a deploy", deployed: true, gone: 0},
		{name: "nothing there: every step is already gone", gone: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openwhisktest.New(auth)
			t.Cleanup(srv.Close)
			if tt.deployed {
				_, err := apply(t, srv.URL)
				require.NoError(t, err)
			}
			before := len(srv.Requests())
			cli, err := owdeploy.NewClient(owdeploy.Config{APIHost: srv.URL, Auth: auth})
			require.NoError(t, err)
			var out bytes.Buffer
			outcomes, err := deploy.Run(context.Background(), &out, "openwhisk", "undeploy", owdeploy.UndeploySteps(cli, deployment()), redact.New(auth))
			require.NoError(t, err, out.String())
			assert.Empty(t, srv.Names())
			gone := 0
			for _, o := range outcomes {
				if o.Note == deploy.NoteGone {
					gone++
				}
			}
			assert.Equal(t, tt.gone, gone)
			var got []string
			for _, r := range srv.Requests()[before:] {
				assert.True(t, r.AuthOK)
				if r.Method == "DELETE" {
					got = append(got, r.Path)
				}
			}
			want := []string{"rules/vodflow-upload-rule", "triggers/vodflow-upload", "actions/vodflow/upload-sequence",
				"actions/vodflow/encoding-callback", "actions/vodflow/add-files", "actions/vodflow/lookup-category", "packages/vodflow"}
			if !tt.deployed {
				want = want[1:] // the rule's deactivation already answered 404
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestUndeployDeactivatesTheRuleFirst(t *testing.T) {
	srv := openwhisktest.New(auth)
	t.Cleanup(srv.Close)
	_, err := apply(t, srv.URL)
	require.NoError(t, err)
	before := len(srv.Requests())
	cli, err := owdeploy.NewClient(owdeploy.Config{APIHost: srv.URL, Auth: auth})
	require.NoError(t, err)
	var out bytes.Buffer
	_, err = deploy.Run(context.Background(), &out, "openwhisk", "undeploy", owdeploy.UndeploySteps(cli, deployment()), redact.New(auth))
	require.NoError(t, err)
	reqs := srv.Requests()[before:]
	require.GreaterOrEqual(t, len(reqs), 2)
	assert.Equal(t, "POST rules/vodflow-upload-rule", reqs[0].Method+" "+reqs[0].Path)
	var st struct{ Status string }
	require.NoError(t, reqs[0].JSON(&st))
	assert.Equal(t, "inactive", st.Status)
	assert.Equal(t, "DELETE rules/vodflow-upload-rule", reqs[1].Method+" "+reqs[1].Path)
}
