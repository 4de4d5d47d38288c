package action_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// TestEnvelopeFieldsBecomeEnvironment: each envelope field but value is
// exported as __OW_<FIELD> when it is a string or a number (the runtime
// documents deadline as a Number; in practice it is a string), written as
// the envelope has it; booleans, null, objects and lists are not.
func TestEnvelopeFieldsBecomeEnvironment(t *testing.T) {
	set := map[string]string{}
	h := action.Simple(func(context.Context, struct{}) (map[string]any, error) { return map[string]any{}, nil })
	line := `{"value":{},"activation_id":"a-1","deadline":1700000000000,"zero":0,"nine":9,"neg":-5,"frac":0.5,` +
		`"flag":true,"off":false,"none":null,"obj":{"a":1},"list":[1],"api_host":"https://h"}`
	var out bytes.Buffer
	require.NoError(t, action.Serve(context.Background(), action.Options{
		In: strings.NewReader(line + "\n"), Out: &out,
		Getenv: func(k string) string { return set[k] }, Setenv: func(k, v string) error { set[k] = v; return nil },
	}, h))
	assert.Equal(t, map[string]string{
		"__OW_ACTIVATION_ID": "a-1", "__OW_DEADLINE": "1700000000000", "__OW_ZERO": "0", "__OW_NINE": "9",
		"__OW_NEG": "-5", "__OW_FRAC": "0.5", "__OW_API_HOST": "https://h",
	}, set)
}
