package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/vodflow/vodflow/pkg/owdeploy"
)

// invokeWait is how long an NCP invoke waits for the result (the API's
// maximum).
const invokeWait = 60 * time.Second

func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("invoke", stderr)
	var t targetFlags
	t.register(fs)
	eventArg := fs.String("event", defaultEvent, "the event: inline JSON or a file")
	actionName := fs.String("action", "", "invoke this action alone instead of the sequence")
	if err := fs.Parse(args); err != nil {
		return err
	}
	event, err := readEvent(*eventArg)
	if err != nil {
		return err
	}
	l, err := t.load(stdout, false)
	if err != nil {
		return err
	}
	name := *actionName
	if name == "" {
		name = deployedSequence(l)
		if name == "" {
			return fmt.Errorf("%s has no sequence to invoke; name an action with --action", l.manifestPath)
		}
	} else if _, ok := l.dep.Action(name); !ok {
		return fmt.Errorf("--action %s: not an action of %s", name, l.manifestPath)
	}
	pkg := l.dep.Package.Name
	eventJSON, _ := json.Marshal(event)
	fmt.Fprintf(stdout, "invoke %s/%s on %s with %s\n", pkg, name, t.target, eventJSON)

	start := time.Now()
	var res map[string]any
	switch t.target {
	case targetNCP:
		c, _, err := t.ncpClient(l)
		if err != nil {
			return err
		}
		act, err := c.Invoke(ctx, pkg, name, event, invokeWait)
		if err != nil {
			return fmt.Errorf("ncp invoke %s/%s: %w", pkg, name, err)
		}
		if act.Response == nil {
			return fmt.Errorf("ncp invoke %s/%s: still running after %s; activation %s", pkg, name, invokeWait, act.ActivationID)
		}
		fmt.Fprintf(stdout, "activation %s (%d ms, %s)\n", act.ActivationID, act.Duration, act.Response.Status)
		res = act.Response.Result
	case targetOpenWhisk:
		cli, _, err := t.owClient()
		if err != nil {
			return err
		}
		if res, err = owdeploy.Invoke(cli, pkg, name, event); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "result %s\n", b)
	return summarize(stdout, res, time.Since(start))
}

// deployedSequence is what the trigger fires: the first rule's action,
// else the first sequence.
func deployedSequence(l *loaded) string {
	if len(l.dep.Rules) > 0 {
		return l.dep.Rules[0].Action
	}
	if len(l.dep.Sequences) > 0 {
		return l.dep.Sequences[0].Name
	}
	return ""
}
