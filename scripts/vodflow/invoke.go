package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vodflow/vodflow/pkg/owdeploy"
	"github.com/vodflow/vodflow/pkg/sequence"
)

// invokeWait is how long an NCP invoke waits for the result (the API's
// maximum).
const invokeWait = 60 * time.Second

func runInvoke(ctx context.Context, e *env, args []string) error {
	fs := newFlags("invoke")
	var t targetFlags
	t.register(fs)
	src := registerEvent(fs, "the event")
	actionName := fs.String("action", "", "invoke this action alone instead of the sequence")
	over := registerOverrides(fs, "for this invocation: sent with the event, over the deployed defaults from params.json (as wsk action invoke -p)")
	var o output
	o.register(fs)
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if err := o.check("invoke"); err != nil {
		return err
	}
	if err := t.checkTarget("invoke"); err != nil {
		return err
	}
	event, err := src.resolve("invoke", pos, e.stdin)
	if err != nil {
		return err
	}
	w := o.report(e)
	l, err := t.load("invoke", w, nil, false)
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
		return usagef("invoke", "--action %s: not an action of %s", name, l.manifestPath)
	}
	params := sequence.Merge(event, over.asMap())
	pkg := l.dep.Package.Name
	eventJSON, _ := json.Marshal(event)
	fmt.Fprintf(w, "invoke %s/%s on %s with %s\n", pkg, name, t.target, eventJSON)
	if len(*over) > 0 {
		fmt.Fprintf(w, "and -p %d parameter(s) over the deployed defaults\n", len(*over))
	}

	rep := &runReport{Target: t.target, Action: pkg + "/" + name, Event: event}
	done := begin(e.stderr, "invoking %s/%s on %s (waiting up to %s)…", pkg, name, t.target, invokeWait)
	start := time.Now()
	var res map[string]any
	switch t.target {
	case targetNCP:
		c, _, err := t.ncpClient(l)
		if err != nil {
			return err
		}
		act, err := c.Invoke(ctx, pkg, name, params, invokeWait)
		if err != nil {
			return fmt.Errorf("ncp invoke %s/%s: %w", pkg, name, err)
		}
		if act.Response == nil {
			return fmt.Errorf("ncp invoke %s/%s: still running after %s; activation %s", pkg, name, invokeWait, act.ActivationID)
		}
		fmt.Fprintf(w, "activation %s (%d ms, %s)\n", act.ActivationID, act.Duration, act.Response.Status)
		rep.ActivationID = act.ActivationID
		res = act.Response.Result
	case targetOpenWhisk:
		cli, _, err := t.owClient()
		if err != nil {
			return err
		}
		if res, err = owdeploy.Invoke(cli, pkg, name, params); err != nil {
			return err
		}
	}
	done("invoked")
	b, _ := json.Marshal(res)
	fmt.Fprintf(w, "result %s\n", b)
	rep.summarize(w, res, time.Since(start))
	return o.finish(e, rep)
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
