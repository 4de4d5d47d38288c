// Command demoaction is a test action for package action's child-process
// tests: it echoes its input and can be told to fail or panic.
package main

import (
	"context"
	"errors"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/signing"
)

type input struct {
	Name   string         `json:"name"`
	Panic  bool           `json:"panic"`
	Fail   bool           `json:"fail"`
	Secret signing.Secret `json:"NCLOUD_SECRET_KEY"`
}

type output struct {
	Hello        string `json:"hello"`
	ActivationID string `json:"activation_id"`
	HasDeadline  bool   `json:"has_deadline"`
}

func main() {
	action.Main("demo", action.Simple(func(ctx context.Context, in input) (output, error) {
		if in.Panic {
			panic("boom with " + in.Secret.Reveal())
		}
		if in.Fail {
			return output{}, &action.Error{Code: "demo_failed", Status: 502, Message: "demo failed",
				Err: errors.New("upstream said no")}
		}
		action.LogAttrs(ctx, action.String("name", in.Name))
		a := action.ActivationFrom(ctx)
		return output{Hello: in.Name, ActivationID: a.ID, HasDeadline: !a.Deadline.IsZero()}, nil
	}))
}
