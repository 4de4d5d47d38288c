package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
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

// PrintPlan writes the steps without applying them (a dry run). Each
// step's Show should already be masked (ShowParams); write to a
// redact.Set's Writer to scrub every line as well.
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

// Apply runs the steps in order, writing one line per step, with the
// secrets given as values.
//
// Deprecated: use ApplyWith and a Set that knows every parameter
// (paramsfile.File.Secrets), which also covers the secrets inside URLs.
func Apply(ctx context.Context, w io.Writer, target string, steps []Step, secrets []string) error {
	return ApplyWith(ctx, w, target, steps, redact.New(secrets...))
}

// ApplyWith runs the steps in order, writing one line per step. It stops
// at the first failure and returns a *StepError. Each step runs with
// secrets in its context (redact.NewContext), so that API errors are
// scrubbed before they are clipped; progress lines and the returned error
// are scrubbed with secrets too. A nil Set scrubs only the structural
// patterns.
func ApplyWith(ctx context.Context, w io.Writer, target string, steps []Step, secrets *redact.Set) error {
	ctx = redact.NewContext(ctx, secrets)
	var applied []string
	for i, s := range steps {
		note, err := s.Apply(ctx)
		if err != nil {
			fmt.Fprint(w, secrets.String(fmt.Sprintf("[%d/%d] %-40s FAILED\n", i+1, len(steps), s.Resource)))
			return &StepError{Target: target, Index: i + 1, Total: len(steps), Resource: secrets.String(s.Resource),
				Applied: applied, Err: secrets.Err(err)}
		}
		if note != "" {
			note = " (" + note + ")"
		}
		fmt.Fprint(w, secrets.String(fmt.Sprintf("[%d/%d] %-40s ok%s\n", i+1, len(steps), s.Resource, note)))
		applied = append(applied, secrets.String(s.Resource))
	}
	return nil
}

// StepError reports the step that failed and the steps applied before it.
type StepError struct {
	Target       string
	Index, Total int
	Resource     string
	Applied      []string
	Err          error
}

// Error implements error.
func (e *StepError) Error() string {
	done := "nothing"
	if len(e.Applied) > 0 {
		done = strings.Join(e.Applied, ", ")
	}
	return fmt.Sprintf("%s deploy: step %d/%d, %s: %v; already applied: %s", e.Target, e.Index, e.Total, e.Resource, e.Err, done)
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

// SecretValues collects the string values of secret-named parameters
// (redact.IsSecretName), longest first.
//
// Deprecated: it misses the secrets inside URL values; use Secrets or
// paramsfile.File.Secrets.
func SecretValues(params ...map[string]any) []string {
	var out []string
	for _, p := range params {
		for k, v := range p {
			if s, ok := v.(string); ok && s != "" && redact.IsSecretName(k) {
				out = append(out, s)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
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
