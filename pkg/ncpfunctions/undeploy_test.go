package ncpfunctions_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/ncpfunctions"
	"github.com/vodflow/vodflow/pkg/ncpfunctionstest"
)

func TestUndeployRemovesInReverseOrder(t *testing.T) {
	tests := []struct {
		name     string
		deployed bool
		notes    []string
	}{
		{name: "after a deploy", deployed: true, notes: []string{"", "", "", "", "", "", ""}},
		{name: "nothing there: every step is already gone", notes: []string{deploy.NoteGone, deploy.NoteGone, deploy.NoteGone, deploy.NoteGone, deploy.NoteGone, deploy.NoteGone, deploy.NoteGone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ncpfunctionstest.New(accessKey, secretKey)
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL, ncpfunctions.PlatformClassic)
			if tt.deployed {
				_, err := apply(t, c, ncpfunctions.Settings{})
				require.NoError(t, err)
			}
			before := len(srv.Requests())
			steps := ncpfunctions.UndeploySteps(c, deployment())
			var out bytes.Buffer
			outcomes, err := deploy.Run(context.Background(), &out, "ncp", "undeploy", steps, nil)
			require.NoError(t, err, out.String())
			assert.Empty(t, srv.Names())
			var got, notes []string
			for _, r := range srv.Requests()[before:] {
				assert.True(t, r.SignatureOK)
				got = append(got, r.Method+" "+r.RequestURI)
			}
			for _, o := range outcomes {
				notes = append(notes, o.Note)
			}
			assert.Equal(t, []string{
				"DELETE /ncf/api/v2/triggers/vodflow-upload/link-action?platform=classic",
				"DELETE /ncf/api/v2/triggers/vodflow-upload?platform=classic",
				"DELETE /ncf/api/v2/packages/vodflow/actions/upload-sequence?platform=classic",
				"DELETE /ncf/api/v2/packages/vodflow/actions/encoding-callback?platform=classic",
				"DELETE /ncf/api/v2/packages/vodflow/actions/add-files?platform=classic",
				"DELETE /ncf/api/v2/packages/vodflow/actions/lookup-category?platform=classic",
				"DELETE /ncf/api/v2/packages/vodflow?platform=classic",
			}, got)
			assert.Equal(t, tt.notes, notes)
		})
	}
}

func TestUndeployStopsAtAFailure(t *testing.T) {
	srv := ncpfunctionstest.New(accessKey, secretKey)
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, ncpfunctions.PlatformClassic)
	_, err := apply(t, c, ncpfunctions.Settings{})
	require.NoError(t, err)
	srv.FailOn("DELETE", "/packages/vodflow/actions/add-files", 403, `{"error":{"errorCode":"210","message":"Permission Denied"}}`)
	var out bytes.Buffer
	_, err = deploy.Run(context.Background(), &out, "ncp", "undeploy", ncpfunctions.UndeploySteps(c, deployment()), nil)
	var se *deploy.StepError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 5, se.Index)
	assert.Contains(t, err.Error(), "ncp undeploy: step 5/7, action vodflow/add-files: DELETE /ncf/api/v2/packages/vodflow/actions/add-files: HTTP 403")
	assert.Contains(t, srv.Names(), "package vodflow", "nothing after the failure ran")
}
