package action_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/signing"
)

// greetConfig is bound at deploy time (UPPER_CASE parameters).
type greetConfig struct {
	Greeting string         `json:"GREETING"`
	Secret   signing.Secret `json:"NCLOUD_SECRET_KEY"`
}

// greetInput is what the event (or the previous action) sends.
type greetInput struct {
	Name string `json:"name"`
}

// An action decodes its configuration and its input once, at the edge, and
// returns a typed result or an error that names the field. Serve runs the
// actionloop; an action's main calls action.Main instead.
func ExampleServe() {
	h := action.Handler[greetConfig, greetInput, map[string]string]{
		Decode: func(p *action.Params) (greetConfig, greetInput, error) {
			var cfg greetConfig
			var in greetInput
			if err := p.DecodeConfig(&cfg); err != nil {
				return cfg, in, err
			}
			if err := p.DecodePayload(&in); err != nil {
				return cfg, in, err
			}
			if in.Name == "" {
				return cfg, in, action.Missing("name")
			}
			return cfg, in, nil
		},
		Run: func(ctx context.Context, cfg greetConfig, in greetInput) (map[string]string, error) {
			// A secret that reaches a result is scrubbed at the edge.
			return map[string]string{"text": cfg.Greeting + ", " + in.Name, "oops": cfg.Secret.Reveal()}, nil
		},
	}
	lines := strings.Join([]string{
		`{"value":{"GREETING":"hello","NCLOUD_SECRET_KEY":"sk-123456","name":"ana"},"activation_id":"a1"}`,
		`{"value":{"GREETING":"hello","name":7},"activation_id":"a2"}`,
		`{"value":{"GREETING":"hello"},"activation_id":"a3"}`,
	}, "\n") + "\n"
	_ = action.Serve(context.Background(), action.Options{In: strings.NewReader(lines), Out: os.Stdout}, h)
	// Output:
	// {"oops":"[redacted]","text":"hello, ana"}
	// {"error":{"message":"invalid parameter name: got a number, want a string","code":"invalid_parameter","status":400}}
	// {"error":{"message":"missing parameter name","code":"missing_parameter","status":400}}
}

// Simple suits an action whose configuration and input fit one struct.
func ExampleSimple() {
	type in struct {
		Prefix string `json:"PREFIX"`
		Key    string `json:"object_name"`
	}
	h := action.Simple(func(ctx context.Context, i in) (map[string]string, error) {
		return map[string]string{"key": i.Prefix + i.Key}, nil
	})
	_ = action.Serve(context.Background(), action.Options{
		In: strings.NewReader(`{"value":{"PREFIX":"uploads/","object_name":"a.mp4"}}` + "\n"), Out: os.Stdout,
	}, h)
	fmt.Println("done")
	// Output:
	// {"key":"uploads/a.mp4"}
	// done
}
