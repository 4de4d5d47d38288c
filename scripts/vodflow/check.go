package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vodflow/vodflow/pkg/config"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/paramcheck"
	"github.com/vodflow/vodflow/pkg/paramsfile"
)

// problem is one finding of check: an error (deploy would fail, or an
// action would refuse the value) or a note (allowed, worth knowing).
type problem struct {
	Level   string `json:"level"` // "error" or "note"
	Where   string `json:"where"` // e.g. "actions.add-files.DEDUP_WINDOW"
	Message string `json:"message"`
}

// checkReport is check's --json output.
type checkReport struct {
	Params   string    `json:"params"`
	Manifest string    `json:"manifest"`
	OK       bool      `json:"ok"`
	Problems []problem `json:"problems"`
}

func runCheck(_ context.Context, e *env, args []string) error {
	fs := newFlags("check")
	paramsPath := fs.String("params", "params.json", "the params file to check")
	manifestPath := fs.String("manifest", manifest.FileName, "the manifest, relative to the repository")
	over := registerOverrides(fs, "over params.json before checking, as deploy would")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	pos, err := parse(fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("check", "unexpected arguments: %q", pos)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	mpath := *manifestPath
	if !filepath.IsAbs(mpath) {
		mpath = filepath.Join(root, mpath)
	}
	rep := checkReport{Params: *paramsPath, Manifest: *manifestPath, Problems: checkFiles(*paramsPath, mpath, *over)}
	rep.OK = true
	errs, notes := 0, 0
	for _, p := range rep.Problems {
		if p.Level == "error" {
			errs++
			rep.OK = false
		} else {
			notes++
		}
	}
	if *asJSON {
		if rep.Problems == nil {
			rep.Problems = []problem{}
		}
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			if p.Where == "" {
				fmt.Fprintf(e.stdout, "%-5s %s\n", p.Level, p.Message)
			} else {
				fmt.Fprintf(e.stdout, "%-5s %s: %s\n", p.Level, p.Where, p.Message)
			}
		}
		verdict := "ok: deploy would accept them"
		if !rep.OK {
			verdict = "not ok: deploy would refuse them, or an action its values"
		}
		fmt.Fprintf(e.stdout, "checked %s against %s: %d error(s), %d note(s); %s (nothing was sent)\n", *paramsPath, *manifestPath, errs, notes, verdict)
	}
	if !rep.OK {
		return exitCode(1)
	}
	return nil
}

// checkFiles checks params.json against the manifest and returns the
// findings, errors first, each group sorted by where.
func checkFiles(paramsPath, manifestPath string, over overrides) []problem {
	var out []problem
	add := func(level, where, format string, args ...any) {
		out = append(out, problem{Level: level, Where: where, Message: fmt.Sprintf(format, args...)})
	}
	p, err := paramsfile.Load(paramsPath)
	if err != nil {
		add("error", "", "%v", err)
		return out
	}
	mf, err := manifest.Load(manifestPath)
	if err != nil {
		add("error", "", "%v", err)
		return out
	}
	bindings := mf.Bindings()
	if err := over.apply(p, bindings); err != nil {
		add("error", "-p", "%v", err)
	}

	// Placeholders, anywhere in the file: errors where a deploy to NCP
	// would use them (as deploy and local judge them), notes elsewhere.
	use := paramcheck.For(paramcheck.Command{Name: "check", Platform: p.Deploy.Platform}, mf)
	for _, ph := range paramcheck.Placeholders(p, use) {
		if ph.Used {
			add("error", ph.Where, "still a placeholder; %s (or set it with -p NAME=VALUE)", ph.Hint)
		} else {
			add("note", ph.Where, "still a placeholder, but deploy does not use it: %s", ph.Unused)
		}
	}
	placeholder := paramcheck.IsPlaceholder

	// Unknown names: action sections and parameters the manifest does not know.
	actions := map[string]bool{}
	var actionNames []string
	for _, pk := range mf.Packages {
		for _, a := range pk.Value.Actions {
			actions[a.Name] = true
			actionNames = append(actionNames, a.Name)
		}
	}
	boundIn := map[string]map[string]bool{} // var → sections binding it
	for _, b := range bindings {
		if boundIn[b.Var] == nil {
			boundIn[b.Var] = map[string]bool{}
		}
		boundIn[b.Var][b.Section] = true
	}
	for name := range p.Actions {
		if !actions[name] {
			add("error", "actions."+name, "not an action of %s%s", filepath.Base(manifestPath), didYouMean(name, actionNames))
		}
	}
	for _, u := range paramcheck.UnknownNames(p, mf) {
		add("error", u.Where, "%s", u.Message())
	}
	for where, params := range sections(p) {
		for k := range params {
			if boundIn[k] != nil && !boundIn[k][where] {
				add("note", where+"."+k, "%s binds $%s under %s: deploy sends it there, but vodflow local gives it to this section", filepath.Base(manifestPath), k, strings.Join(sortedSet(boundIn[k]), ", "))
			}
		}
	}

	// Unbound inputs: required ones are errors, the others take the action's default.
	set := map[string]any{}
	for _, params := range sections(p) {
		for k, v := range params {
			set[k] = v
		}
	}
	unbound := map[string][]string{}
	for _, b := range bindings {
		if _, ok := set[b.Var]; ok {
			continue
		}
		if why := requiredWhy(b.Var, set); why != "" {
			add("error", b.Section+"."+b.Input, "not set in params.json, and %s", why)
		} else {
			unbound[b.Section] = append(unbound[b.Section], b.Input)
		}
	}
	for section, inputs := range unbound {
		add("note", section, "left unbound, so the action's defaults apply: %s", strings.Join(inputs, ", "))
	}

	// Values.
	for where, params := range sections(p) {
		for k, v := range params {
			if msg := checkValue(k, v); msg != "" {
				add("error", where+"."+k, "%s", msg)
			}
		}
	}
	if p.Deploy.Platform != "classic" {
		for where, n := range map[string]paramsfile.Number{"deploy.vpc_no": p.Deploy.VPCNo, "deploy.subnet_no": p.Deploy.SubnetNo} {
			if n == "" {
				add("note", where, "not set: deploy --target ncp on platform vpc needs it (or --vpc-no / --subnet-no)")
			} else if _, err := n.Int(where); err != nil && !placeholder(string(n)) {
				add("error", where, "%q is not a positive integer", string(n))
			}
		}
	}

	// Whatever else deploy would refuse, when nothing above did.
	if !hasErrors(out) {
		if vars, err := manifest.VarsFromParams(p); err != nil {
			add("error", paramsPath, "%v", err)
		} else if _, err := mf.Resolve(vars); err != nil {
			add("error", filepath.Base(manifestPath), "%v", err)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level == "error"
		}
		return out[i].Where < out[j].Where
	})
	return out
}

func hasErrors(ps []problem) bool {
	for _, p := range ps {
		if p.Level == "error" {
			return true
		}
	}
	return false
}

func didYouMean(name string, candidates []string) string {
	if s := manifest.Suggest(name, candidates); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// requiredWhy says why an unset parameter is required, or "" when the
// action has a default for it (README, "Parameters").
func requiredWhy(name string, set map[string]any) string {
	switch name {
	case "NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY":
		return "every VOD Station call needs it"
	case "CALLBACK_TOKEN":
		return "encoding-callback answers 500 to everything until it is set"
	case "CATEGORY_NAME":
		if _, ok := set["CATEGORY_ID"]; !ok {
			return "lookup-category needs it (or CATEGORY_ID)"
		}
	case "WEBHOOK_SECRET":
		if u, _ := set["WEBHOOK_URL"].(string); u != "" {
			return "WEBHOOK_URL is set: the events must be signed"
		}
	}
	return ""
}

// checkValue checks a known parameter's value as the action reads it
// (README, "Parameters"); it returns "" when the value is fine or the
// parameter is not one vodflow knows. Secret values are never echoed.
func checkValue(name string, v any) string {
	show := func() string {
		if isSecret(name) {
			return jsonKindOnly(v)
		}
		return jsonKind(v)
	}
	switch name {
	case "CATEGORY_CACHE_TTL", "DEDUP_WINDOW":
		if n, ok := number(v); !ok || n < 0 {
			return fmt.Sprintf("got %s, want a number of seconds ≥ 0", show())
		}
	case "DEDUP_CHECK_STATUS", "VERIFY_STATUS":
		if _, ok := boolean(v); !ok {
			return fmt.Sprintf("got %s, want true or false", show())
		}
	case "KEY_DECODING":
		return oneOf(v, show, "auto", "none", "path", "query")
	case "NOTIFICATION_FIELD":
		return oneOf(v, show, "notificationUrl", "notification")
	case "PLAYBACK_ABR":
		return oneOf(v, show, "smil", "smil-factored", "none")
	case "PLAYBACK_POSTER":
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("got %s, want auto, none or a name with {basename}", show())
		}
		if t := strings.TrimSpace(s); t != "" && !strings.EqualFold(t, "auto") && !strings.EqualFold(t, "none") && !strings.Contains(t, "{basename}") {
			return fmt.Sprintf("got %s, want auto, none or a name with {basename} such as {basename}_01.jpg", show())
		}
	case "API_URL", "WEBHOOK_URL", "NOTIFICATION_URL":
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("got %s, want an http or https URL (a string)", show())
		}
		if u, err := url.Parse(s); s != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return fmt.Sprintf("got %s, want an http or https URL", show())
		}
	case "CATEGORY_ID":
		var id string
		switch x := v.(type) {
		case string:
			id = x
		case json.Number:
			id = x.String()
		case float64:
			id = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return fmt.Sprintf("got %s, want the category id (a positive integer, as a string or a number)", show())
		}
		if id = strings.TrimSpace(id); id != "" && config.CheckCategoryID(name, id) != nil {
			return fmt.Sprintf("got %s, want the category id (a positive integer)", show())
		}
	case "REGION":
		s, ok := v.(string)
		if !ok {
			return fmt.Sprintf("got %s, want a string", show())
		}
		if _, err := config.CheckRegion(name, s); strings.TrimSpace(s) != "" && err != nil {
			return fmt.Sprintf("got %s, want an NCP region code (%s)", show(), strings.Join(config.KnownRegions, ", "))
		}
	case "EXCLUDE_PREFIXES", "EXTENSIONS", "PLAYBACK_PROTOCOLS":
		switch x := v.(type) {
		case string:
		case []any:
			for _, e := range x {
				if _, ok := e.(string); !ok {
					return fmt.Sprintf("got a list holding %s, want a comma-separated string or a list of strings", jsonKind(e))
				}
			}
		default:
			return fmt.Sprintf("got %s, want a comma-separated string or a list of strings", show())
		}
	case "NCLOUD_ACCESS_KEY", "NCLOUD_SECRET_KEY", "CATEGORY_NAME", "BUCKET_NAME", "CALLBACK_TOKEN", "WEBHOOK_SECRET",
		"INPUT_PREFIX", "PLAYBACK_DOMAIN", "ENCRYPTED_BUCKET_NAME", "CHANNEL_ID":
		if _, ok := v.(string); !ok {
			if _, isNum := number(v); !isNum || name != "CHANNEL_ID" {
				return fmt.Sprintf("got %s, want a string", show())
			}
		}
	}
	return ""
}

// isSecret reports a secret-named parameter (masked in plans).
func isSecret(name string) bool { return paramsfile.Masked(map[string]any{name: "x"})[name] != "x" }

// jsonKindOnly names a value's kind without showing it.
func jsonKindOnly(v any) string {
	switch v.(type) {
	case nil:
		return "JSON null"
	case bool:
		return "a JSON boolean"
	case float64, json.Number:
		return "a JSON number"
	case string:
		return "a JSON string"
	case []any:
		return "a JSON list"
	}
	return "a JSON object"
}

func oneOf(v any, show func() string, choices ...string) string {
	if s, ok := v.(string); ok {
		for _, c := range choices {
			if s == c || s == "" {
				return ""
			}
		}
		return fmt.Sprintf("got %q, want %s%s", s, strings.Join(choices, ", "), didYouMean(s, choices))
	}
	return fmt.Sprintf("got %s, want one of %s", show(), strings.Join(choices, ", "))
}

// number reads a JSON number or a numeric string (the console sends
// strings).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// boolean reads a JSON boolean or "true"/"false".
func boolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(x))
		return b, err == nil
	}
	return false, false
}
