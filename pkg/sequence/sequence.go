package sequence

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrorKey is the result key that marks an OpenWhisk application error. A
// result object that has this key, whatever its value, is a failure.
const ErrorKey = "error"

// errNoComponents is reported when a sequence has nothing to run.
var errNoComponents = errors.New("sequence has no components")

// Invoker runs one action with fully merged parameters and returns its result
// object. A returned error means the action did not produce a result (it
// crashed, timed out or could not be started); an application error is a
// result with an "error" key and a nil error.
type Invoker interface {
	Invoke(ctx context.Context, action string, params map[string]any) (map[string]any, error)
}

// InvokerFunc adapts a function to the [Invoker] interface.
type InvokerFunc func(ctx context.Context, action string, params map[string]any) (map[string]any, error)

// Invoke calls f(ctx, action, params).
func (f InvokerFunc) Invoke(ctx context.Context, action string, params map[string]any) (map[string]any, error) {
	return f(ctx, action, params)
}

// Component is one action of a sequence.
type Component struct {
	// Name is the action name passed to the Invoker, for example
	// "/guest/vodflow/lookup-category".
	Name string
	// Defaults are the action's own default parameters.
	Defaults map[string]any
}

// Sequence is an OpenWhisk sequence: components run in order, each one
// receiving the previous one's result.
type Sequence struct {
	// Name is the sequence's name; it is informational only.
	Name string
	// PackageDefaults are the default parameters of the package that holds
	// the components; every component sees them, under everything else.
	PackageDefaults map[string]any
	// TriggerDefaults are the default parameters of the trigger that fired
	// the sequence (nil when invoked directly). Only the first component
	// sees them, above its own defaults and below the payload.
	TriggerDefaults map[string]any
	// Components are the actions, in order.
	Components []Component
}

// Step records one component's activation.
type Step struct {
	// Action is the component's name.
	Action string
	// Params are the merged parameters the component was invoked with.
	Params map[string]any
	// Result is the component's result object; nil when Err is set.
	Result map[string]any
	// Err is the Invoker's error (nil for successes and application errors).
	Err error
	// Duration is how long the Invoker took.
	Duration time.Duration
}

// Failed reports whether the step stopped the sequence: the Invoker failed,
// or the result has an "error" key.
func (s Step) Failed() bool {
	return s.Err != nil || IsError(s.Result)
}

// Outcome is the result of running a sequence.
type Outcome struct {
	// Steps holds one entry per component that was invoked, in order.
	Steps []Step
	// Result is the sequence's result: the last component's result on
	// success, the failing component's error result otherwise.
	Result map[string]any
	// Failed reports whether a component failed.
	Failed bool
}

// IsError reports whether result is an OpenWhisk application error, that is
// an object with an "error" key.
func IsError(result map[string]any) bool {
	_, ok := result[ErrorKey]
	return ok
}

// FirstParams returns the parameters the first component receives for
// payload: Merge(PackageDefaults, first component's Defaults,
// TriggerDefaults, payload). It returns nil when the sequence is empty.
func (s Sequence) FirstParams(payload map[string]any) map[string]any {
	if len(s.Components) == 0 {
		return nil
	}
	return Merge(s.PackageDefaults, s.Components[0].Defaults, s.TriggerDefaults, payload)
}

// NextParams returns the parameters component i (i ≥ 1) receives when the
// previous component returned prev: Merge(PackageDefaults, component i's
// Defaults, prev). The original payload and trigger defaults are not part of
// it. It returns nil when i is out of range.
func (s Sequence) NextParams(i int, prev map[string]any) map[string]any {
	if i < 0 || i >= len(s.Components) {
		return nil
	}
	return Merge(s.PackageDefaults, s.Components[i].Defaults, prev)
}

// Run runs the sequence with payload as the input of the first component and
// returns what happened. It stops at the first component whose result has an
// "error" key (that result becomes the Outcome's Result) or whose invocation
// fails (the Outcome's Result is then {"error": {"message": "<action>: <err>"}}).
// A cancelled ctx stops the sequence before the next component, like an
// invocation failure. Run never modifies payload or the sequence's maps.
func (s Sequence) Run(ctx context.Context, inv Invoker, payload map[string]any) Outcome {
	if len(s.Components) == 0 {
		return Outcome{Result: errorResult(s.Name, errNoComponents), Failed: true}
	}
	var out Outcome
	var prev map[string]any
	for i, c := range s.Components {
		params := s.FirstParams(payload)
		if i > 0 {
			params = s.NextParams(i, prev)
		}
		step := Step{Action: c.Name, Params: params}
		if err := ctx.Err(); err != nil {
			step.Err = fmt.Errorf("not invoked: %w", err)
		} else {
			start := time.Now()
			step.Result, step.Err = inv.Invoke(ctx, c.Name, params)
			step.Duration = time.Since(start)
		}
		if step.Err != nil {
			step.Result = nil
			out.Steps = append(out.Steps, step)
			out.Result, out.Failed = errorResult(c.Name, step.Err), true
			return out
		}
		if step.Result == nil {
			// An action that returns nothing has the empty object as result.
			step.Result = map[string]any{}
		}
		out.Steps = append(out.Steps, step)
		if IsError(step.Result) {
			out.Result, out.Failed = step.Result, true
			return out
		}
		prev = step.Result
	}
	out.Result = prev
	return out
}

// errorResult builds the result object that reports a failed invocation.
func errorResult(action string, err error) map[string]any {
	return map[string]any{
		ErrorKey: map[string]any{"message": fmt.Sprintf("%s: %v", action, err)},
	}
}
