package deploy_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/redact"
)

func TestApplyStopsAtFirstFailure(t *testing.T) {
	cause := errors.New("PUT /x: HTTP 500, details token-abcdef")
	var ran []string
	step := func(name string, err error) deploy.Step {
		return deploy.Step{Resource: name, Apply: func(context.Context) (string, error) { ran = append(ran, name); return "", err }}
	}
	tests := []struct {
		name    string
		steps   []deploy.Step
		applied []string
		index   int
	}{
		{name: "first fails", steps: []deploy.Step{step("a", cause), step("b", nil)}, index: 1},
		{name: "second fails", steps: []deploy.Step{step("a", nil), step("b", cause), step("c", nil)}, applied: []string{"a"}, index: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			var out bytes.Buffer
			err := deploy.Apply(context.Background(), &out, "x", tt.steps, redact.New("token-abcdef"))
			var se *deploy.StepError
			require.True(t, errors.As(err, &se))
			assert.Equal(t, tt.applied, se.Applied)
			assert.Equal(t, tt.index, se.Index)
			assert.ErrorIs(t, err, cause)
			assert.Len(t, ran, tt.index, "no step after the failure runs")
			assert.NotContains(t, err.Error(), "token-abcdef")
			assert.Contains(t, err.Error(), "[redacted]")
			if tt.applied == nil {
				assert.Contains(t, err.Error(), "already applied: nothing")
			}
		})
	}
}

func TestSecretsAndPlan(t *testing.T) {
	s := deploy.Secrets(map[string]any{"NCLOUD_SECRET_KEY": "s3cr3t-key", "API_TOKEN": "tok-123456", "REGION": "KR", "N": 1})
	assert.Equal(t, "[redacted] [redacted] KR", s.String("s3cr3t-key tok-123456 KR"))

	var out bytes.Buffer
	deploy.PrintPlan(&out, "ncp", []deploy.Step{{Resource: "package p", Request: "PUT /p", Show: map[string]any{"parameters": deploy.ShowParams(map[string]any{"NCLOUD_SECRET_KEY": "s3cr3t-key"}), "code": deploy.ShowCode("dist/a.zip", 0, "go:1.19")}}})
	assert.Contains(t, out.String(), "[1/1] package p\n      PUT /p\n")
	assert.Contains(t, out.String(), `"NCLOUD_SECRET_KEY": "****"`)
	assert.Contains(t, out.String(), "<base64 of dist/a.zip, built for go:1.19 at deploy time>")
	assert.NotContains(t, out.String(), "s3cr3t-key")
}
