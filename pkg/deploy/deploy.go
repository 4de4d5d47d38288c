package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/redact"
)

// Step creates or updates one resource.
type Step struct {
	// Resource names the resource, e.g. "action vodflow/add-files".
	Resource string
	// Request describes the call, e.g. "PUT /ncf/api/v2/packages/vodflow".
	Request string
	// Show is the request body as a plan shows it: secrets masked, code
	// summarized. Nil when the call has no body worth showing.
	Show any
	// Apply performs the step. note, if any, is appended to the progress
	// line (e.g. "already linked").
	Apply func(ctx context.Context) (note string, err error)
}

// PrintPlan writes the steps without applying them (a dry run). target
// names what the plan is for, e.g. "ncp" or "ncp undeploy". Each step's
// Show should already be masked (ShowParams); write to a redact.Set's
// Writer to scrub every line as well.
func PrintPlan(w io.Writer, target string, steps []Step) {
	fmt.Fprintf(w, "plan for %s (dry run: nothing is sent), %d steps:\n", target, len(steps))
	for i, s := range steps {
		fmt.Fprintf(w, "[%d/%d] %s\n      %s\n", i+1, len(steps), s.Resource, s.Request)
		if s.Show != nil {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			enc.SetIndent("      ", "  ")
			if err := enc.Encode(s.Show); err != nil {
				fmt.Fprintf(&b, "(unprintable: %v)\n", err)
			}
			fmt.Fprintf(w, "      %s", b.String())
		}
	}
}

// NoteGone is the note of a removal step whose resource was not there
// (a 404): already gone, which is not a failure.
const NoteGone = "already gone"

// Outcome is what one applied step did.
type Outcome struct {
	// Resource is the step's resource.
	Resource string `json:"resource"`
	// Note is the step's note, e.g. "already linked" or NoteGone.
	Note string `json:"note,omitempty"`
}

// Apply runs deployment steps in order, writing one line per step; see
// Run.
func Apply(ctx context.Context, w io.Writer, target string, steps []Step, secrets *redact.Set) error {
	_, err := Run(ctx, w, target, "deploy", steps, secrets)
	return err
}

// Run runs the steps of a deploy or undeploy (verb) in order, writing one
// line per step, and returns what each applied step did. It stops at the
// first failure and returns a *StepError. Each step runs with secrets in
// its context (redact.NewContext), so that API errors are scrubbed before
// they are clipped; progress lines and the returned error are scrubbed with
// secrets too. A nil Set scrubs only the structural patterns.
func Run(ctx context.Context, w io.Writer, target, verb string, steps []Step, secrets *redact.Set) ([]Outcome, error) {
	ctx = redact.NewContext(ctx, secrets)
	var applied []string
	var out []Outcome
	for i, s := range steps {
		note, err := s.Apply(ctx)
		if err != nil {
			fmt.Fprint(w, secrets.String(fmt.Sprintf("[%d/%d] %-40s FAILED\n", i+1, len(steps), s.Resource)))
			return out, &StepError{Target: target, Verb: verb, Index: i + 1, Total: len(steps), Resource: secrets.String(s.Resource),
				Applied: applied, Err: secrets.Err(err)}
		}
		out = append(out, Outcome{Resource: s.Resource, Note: note})
		if note != "" {
			note = " (" + note + ")"
		}
		fmt.Fprint(w, secrets.String(fmt.Sprintf("[%d/%d] %-40s ok%s\n", i+1, len(steps), s.Resource, note)))
		applied = append(applied, secrets.String(s.Resource))
	}
	return out, nil
}

// StepError reports the step that failed and the steps applied before it.
type StepError struct {
	// Target is the deploy target, e.g. "ncp".
	Target string
	// Verb is "deploy" or "undeploy" (empty reads as deploy).
	Verb string
	// Index is the failed step's position (from 1) of Total.
	Index, Total int
	// Resource names the failed step's resource.
	Resource string
	// Applied lists the resources of the steps done before it.
	Applied []string
	// Err is the cause, with secrets redacted.
	Err error
}

// Error implements error.
func (e *StepError) Error() string {
	done := "nothing"
	if len(e.Applied) > 0 {
		done = strings.Join(e.Applied, ", ")
	}
	verb := e.Verb
	if verb == "" {
		verb = "deploy"
	}
	return fmt.Sprintf("%s %s: step %d/%d, %s: %v; already applied: %s", e.Target, verb, e.Index, e.Total, e.Resource, e.Err, done)
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// Secrets returns a Set that knows every parameter of params (see
// redact.Set.AddParams): secret-named values and the secrets inside URLs.
func Secrets(params ...map[string]any) *redact.Set {
	s := &redact.Set{}
	for _, p := range params {
		s.AddParams(p)
	}
	return s
}

// ShowParams returns params with secret values masked, for a plan (see
// paramsfile.Masked).
func ShowParams(params map[string]any) map[string]any { return paramsfile.Masked(params) }

// ShowCode summarizes action code for a plan.
func ShowCode(function string, size int, kind string) string {
	if size == 0 {
		return fmt.Sprintf("<base64 of %s, built for %s at deploy time>", function, kind)
	}
	return fmt.Sprintf("<base64 of %s, %d bytes, %s>", function, size, kind)
}
