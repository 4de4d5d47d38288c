package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/openwhisk-client-go/whisk"

	"github.com/vodflow/vodflow/pkg/actionzip"
	"github.com/vodflow/vodflow/pkg/bytesize"
	"github.com/vodflow/vodflow/pkg/deploy"
	"github.com/vodflow/vodflow/pkg/manifest"
	"github.com/vodflow/vodflow/pkg/ncpfunctions"
	"github.com/vodflow/vodflow/pkg/owdeploy"
	"github.com/vodflow/vodflow/pkg/paramcheck"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
)

// Deploy targets.
const (
	targetNCP       = "ncp"
	targetOpenWhisk = "openwhisk"
)

// targetFlags are the flags deploy and invoke share: what to read and
// where to send it.
type targetFlags struct {
	target, params, manifest, kind string
	// NCP
	region, apiURL, platform string
	vpcNo, subnetNo          int64
	// OpenWhisk
	apihost, auth, namespace string
	insecure                 bool
}

func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.target, "target", "", "ncp (NAVER Cloud Functions) or openwhisk (Apache OpenWhisk)")
	fs.StringVar(&t.params, "params", "params.json", "params file: the inputs' values and the deploy section")
	fs.StringVar(&t.manifest, "manifest", manifest.FileName, "the manifest, relative to the repository")
	fs.StringVar(&t.kind, "kind", "", "Go runtime kind (default: the manifest's runtime for ncp, "+owdeploy.DefaultKind+" for openwhisk)")
	fs.StringVar(&t.region, "region", "", "ncp: kr, sg or jp; picks the API host (default: deploy.region, else kr)")
	fs.StringVar(&t.apiURL, "api-url", "", "ncp: any API host, e.g. https://cloudfunctions.apigw.fin-ntruss.com (default: deploy.api_url, else the region's)")
	fs.StringVar(&t.platform, "platform", "", "ncp: vpc or classic (default: deploy.platform, else vpc)")
	fs.Int64Var(&t.vpcNo, "vpc-no", 0, "ncp: VPC number for platform vpc (default: deploy.vpc_no)")
	fs.Int64Var(&t.subnetNo, "subnet-no", 0, "ncp: subnet number for platform vpc (default: deploy.subnet_no)")
	fs.StringVar(&t.apihost, "apihost", "", "openwhisk: API host (default: APIHOST in ~/.wskprops or $WSK_CONFIG_FILE)")
	fs.StringVar(&t.auth, "auth", "", "openwhisk: auth key uuid:key (default: AUTH in ~/.wskprops)")
	fs.StringVar(&t.namespace, "namespace", "", "openwhisk: namespace (default: NAMESPACE in ~/.wskprops, else _)")
	fs.BoolVar(&t.insecure, "insecure", false, "openwhisk: skip TLS verification (a local OpenWhisk)")
}

// loaded is the deployment read at the edge: params.json, the resolved
// manifest, and the kind the actions are built for.
type loaded struct {
	root, manifestPath string
	params             *paramsfile.File
	dep                *manifest.Deployment
	kind               string
}

// checkTarget refuses a missing or unknown --target (a usage error).
func (t *targetFlags) checkTarget(cmd string) error {
	switch t.target {
	case targetNCP, targetOpenWhisk:
		return nil
	case "":
		return usagef(cmd, "--target is required: %s or %s", targetNCP, targetOpenWhisk)
	}
	return usagef(cmd, "--target %q: want %s or %s", t.target, targetNCP, targetOpenWhisk)
}

// load reads params.json (with over applied), the manifest, and resolves
// them. A parameter name no action reads is an error; so are the
// placeholders the command cmd would use (paramcheck.For), unless allowed
// (a dry run), then a note on stdout.
func (t *targetFlags) load(cmd string, stdout io.Writer, over overrides, allowPlaceholders bool) (*loaded, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	params, err := paramsfile.Load(t.params)
	if err != nil {
		return nil, err
	}
	path := t.manifest
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	file, err := manifest.Load(path)
	if err != nil {
		return nil, err
	}
	if err := over.apply(params, file.Bindings()); err != nil {
		return nil, err
	}
	if err := paramcheck.UnknownError(t.params, paramcheck.UnknownNames(params, file)); err != nil {
		return nil, err
	}
	use := paramcheck.For(t.command(cmd, params), file)
	if err := paramcheck.Refusal(t.params, use, paramcheck.Placeholders(params, use)); err != nil {
		if !allowPlaceholders {
			return nil, err
		}
		fmt.Fprintf(stdout, "note: %v\n", err)
	}
	vars, err := manifest.VarsFromParams(params)
	if err != nil {
		return nil, err
	}
	dep, err := file.Resolve(vars)
	if err != nil {
		return nil, err
	}
	kind := t.kind
	if kind == "" && t.target == targetOpenWhisk {
		kind = owdeploy.DefaultKind
	}
	if kind != "" {
		if _, err := actionzip.ExecEnv(kind); err != nil {
			return nil, fmt.Errorf("--kind %q: want a Go kind such as go:1.19", kind)
		}
	}
	return &loaded{root: root, manifestPath: path, params: params, dep: dep, kind: kind}, nil
}

// command describes this run of cmd for paramcheck: the target, the flags
// given, the platform and where the signing keys come from.
func (t *targetFlags) command(cmd string, p *paramsfile.File) paramcheck.Command {
	ak, sk := os.Getenv("NCLOUD_ACCESS_KEY"), os.Getenv("NCLOUD_SECRET_KEY")
	return paramcheck.Command{
		Name: cmd, Target: t.target, Platform: first(t.platform, p.Deploy.Platform, ncpfunctions.PlatformVPC),
		Flags:          map[string]bool{"api-url": t.apiURL != "", "vpc-no": t.vpcNo != 0, "subnet-no": t.subnetNo != 0},
		EnvCredentials: ak != "" && sk != "",
	}
}

// kindOf is the kind an action is built and deployed as.
func (l *loaded) kindOf(a manifest.ActionSpec) string {
	if l.kind != "" {
		return l.kind
	}
	return a.Runtime
}

// code returns each action's zip: built for its kind from actions/<name>
// (the function's file name), or with noBuild read from the function's
// path and checked.
func (l *loaded) code(ctx context.Context, noBuild bool, stdout, progress io.Writer) (map[string][]byte, error) {
	out := map[string][]byte{}
	available, err := actionzip.Actions(l.root)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "vodflow-deploy")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, a := range l.dep.Actions {
		kind := l.kindOf(a)
		env, err := actionzip.ExecEnv(kind)
		if err != nil {
			return nil, fmt.Errorf("action %s: %w", a.Name, err)
		}
		var zip []byte
		if noBuild {
			path := filepath.Join(filepath.Dir(l.manifestPath), a.Function)
			if zip, err = os.ReadFile(path); err != nil {
				return nil, fmt.Errorf("action %s: %w (run vodflow build --kind %s, or leave out --no-build)", a.Name, err, kind)
			}
		} else {
			src := strings.TrimSuffix(filepath.Base(a.Function), ".zip")
			if !contains(available, src) {
				return nil, fmt.Errorf("action %s: function %s: there is no actions/%s to build (use --no-build with a built zip)", a.Name, a.Function, src)
			}
			start := time.Now()
			fmt.Fprintf(progress, "building %s for linux/amd64, kind %s…\n", a.Function, kind)
			stop := ticking(progress, "building "+a.Function)
			built, err := actionzip.Build(ctx, l.root, tmp, kind, []string{src})
			stop()
			fmt.Fprintf(progress, "  built in %s\n", took(time.Since(start)))
			if err != nil {
				return nil, err
			}
			if zip, err = os.ReadFile(built[0].Path); err != nil {
				return nil, err
			}
		}
		info, err := actionzip.Check(zip)
		if err != nil {
			return nil, fmt.Errorf("action %s: %s: %w", a.Name, a.Function, err)
		}
		if info.ExecEnv != env {
			return nil, fmt.Errorf("action %s: %s has exec.env %q, but kind %s needs %q (rebuild with vodflow build --kind %s)", a.Name, a.Function, info.ExecEnv, kind, env, kind)
		}
		fmt.Fprintf(stdout, "%-28s %8s  (%d bytes, %s, %s)\n", a.Function, bytesize.MB(int64(len(zip))), len(zip), kind, env)
		out[a.Name] = zip
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ncpClient builds the Cloud Functions client from flags, the deploy
// section and the credentials.
func (t *targetFlags) ncpClient(l *loaded) (*ncpfunctions.Client, ncpfunctions.Settings, error) {
	d := l.params.Deploy
	platform := first(t.platform, d.Platform, ncpfunctions.PlatformVPC)
	apiURL := first(t.apiURL, d.APIURL)
	if apiURL == "" {
		host, err := ncpfunctions.HostForRegion(first(t.region, d.Region))
		if err != nil {
			return nil, ncpfunctions.Settings{}, err
		}
		apiURL = host
	}
	creds := deployCredentials(l.params)
	c, err := ncpfunctions.New(apiURL, creds, platform)
	if err != nil {
		return nil, ncpfunctions.Settings{}, err
	}
	s := ncpfunctions.Settings{VPCNo: t.vpcNo, SubnetNo: t.subnetNo, Kind: t.kind}
	if platform == ncpfunctions.PlatformVPC {
		if s.VPCNo == 0 && d.VPCNo != "" {
			if s.VPCNo, err = d.VPCNo.Int("deploy.vpc_no"); err != nil {
				return nil, s, err
			}
		}
		if s.SubnetNo == 0 && d.SubnetNo != "" {
			if s.SubnetNo, err = d.SubnetNo.Int("deploy.subnet_no"); err != nil {
				return nil, s, err
			}
		}
	}
	return c, s, nil
}

// deployCredentials are the keys that sign the management calls:
// $NCLOUD_ACCESS_KEY and $NCLOUD_SECRET_KEY when both are set (a key with
// Cloud Functions permissions), else the package's own.
func deployCredentials(p *paramsfile.File) signing.Credentials {
	if ak, sk := os.Getenv("NCLOUD_ACCESS_KEY"), os.Getenv("NCLOUD_SECRET_KEY"); ak != "" && sk != "" {
		return signing.Credentials{AccessKey: ak, SecretKey: signing.NewSecret(sk)}
	}
	ak, _ := p.Package.Parameters["NCLOUD_ACCESS_KEY"].(string)
	sk, _ := p.Package.Parameters["NCLOUD_SECRET_KEY"].(string)
	return signing.Credentials{AccessKey: ak, SecretKey: signing.NewSecret(sk)}
}

// owClient builds the OpenWhisk client from flags over ~/.wskprops.
func (t *targetFlags) owClient() (*whisk.Client, owdeploy.Config, error) {
	props, err := owdeploy.ReadWskprops(owdeploy.WskpropsPath())
	if err != nil {
		return nil, owdeploy.Config{}, err
	}
	cfg := props.Merge(owdeploy.Config{APIHost: t.apihost, Auth: t.auth, Namespace: t.namespace, Insecure: t.insecure})
	cli, err := owdeploy.NewClient(cfg)
	return cli, cfg, err
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func runDeploy(ctx context.Context, e *env, args []string) error {
	fs := newFlags("deploy")
	var t targetFlags
	t.register(fs)
	dryRun := fs.Bool("dry-run", false, "print the plan (secrets masked) and send nothing")
	noBuild := fs.Bool("no-build", false, "deploy the zips at the manifest's function paths instead of building them")
	over := registerOverrides(fs, "over params.json before the manifest is filled in")
	asJSON := fs.Bool("json", false, "print what was applied (or the plan) as JSON on stdout; the progress goes to stderr")
	l, w, err := t.start("deploy", fs, e, args, over, dryRun, asJSON)
	if err != nil {
		return err
	}
	var code map[string][]byte
	if !*dryRun || *noBuild {
		if code, err = l.code(ctx, *noBuild, w, e.stderr); err != nil {
			return err
		}
	}
	secrets := l.secrets()
	w = secrets.Writer(w)
	var steps []deploy.Step
	switch t.target {
	case targetNCP:
		c, s, err := t.ncpClient(l)
		if err != nil {
			return err
		}
		if steps, err = ncpfunctions.Steps(c, l.dep, code, s); err != nil {
			return err
		}
		fmt.Fprintf(w, "target ncp: %s, platform %s, access key %s\n", c.BaseURL(), c.Platform(), deployCredentials(l.params).AccessKey)
	case targetOpenWhisk:
		cli, cfg, err := t.owClientOrDry(*dryRun)
		if err != nil {
			return err
		}
		steps = owdeploy.Steps(cli, l.dep, code, l.kind)
		secrets.Add(cfg.Auth)
		fmt.Fprintf(w, "target openwhisk: %s, kind %s\n", cfg, l.kind)
	}
	return applySteps(ctx, e, w, stepsRun{target: t.target, verb: "deploy", pkg: l.dep.Package.Name, dryRun: *dryRun, asJSON: *asJSON}, steps, secrets)
}

func runUndeploy(ctx context.Context, e *env, args []string) error {
	fs := newFlags("undeploy")
	var t targetFlags
	t.register(fs)
	dryRun := fs.Bool("dry-run", false, "print the plan and send nothing")
	over := registerOverrides(fs, "over params.json before the manifest is filled in (names come from it)")
	asJSON := fs.Bool("json", false, "print what was removed and what was already gone (or the plan) as JSON on stdout")
	l, w, err := t.start("undeploy", fs, e, args, over, dryRun, asJSON)
	if err != nil {
		return err
	}
	secrets := l.secrets()
	w = secrets.Writer(w)
	var steps []deploy.Step
	switch t.target {
	case targetNCP:
		c, _, err := t.ncpClient(l)
		if err != nil {
			return err
		}
		steps = ncpfunctions.UndeploySteps(c, l.dep)
		fmt.Fprintf(w, "target ncp: %s, platform %s, access key %s\n", c.BaseURL(), c.Platform(), deployCredentials(l.params).AccessKey)
	case targetOpenWhisk:
		cli, cfg, err := t.owClientOrDry(*dryRun)
		if err != nil {
			return err
		}
		steps = owdeploy.UndeploySteps(cli, l.dep)
		secrets.Add(cfg.Auth)
		fmt.Fprintf(w, "target openwhisk: %s\n", cfg)
	}
	return applySteps(ctx, e, w, stepsRun{target: t.target, verb: "undeploy", pkg: l.dep.Package.Name, dryRun: *dryRun, asJSON: *asJSON}, steps, secrets)
}

// start is what deploy and undeploy do before their steps: parse the
// flags (they take no arguments), check the target and load params.json
// with the overrides. w is where the progress goes: stdout, or stderr
// with --json.
func (t *targetFlags) start(cmd string, fs *flag.FlagSet, e *env, args []string, over *overrides, dryRun, asJSON *bool) (l *loaded, w io.Writer, err error) {
	pos, err := parse(fs, e, args)
	if err != nil {
		return nil, nil, err
	}
	if len(pos) > 0 {
		return nil, nil, usagef(cmd, "unexpected arguments: %q", pos)
	}
	if err := t.checkTarget(cmd); err != nil {
		return nil, nil, err
	}
	w = e.stdout
	if *asJSON {
		w = e.stderr
	}
	if l, err = t.load(cmd, w, *over, *dryRun); err != nil {
		return nil, nil, err
	}
	return l, w, nil
}

// secrets knows what no output may show: every parameter of params.json
// (secret-named values and the secrets inside URLs) and the deploy
// credentials' secret key.
func (l *loaded) secrets() *redact.Set {
	secrets := l.params.Secrets()
	secrets.Add(deployCredentials(l.params).SecretKey.Reveal())
	return secrets
}

// owClientOrDry is owClient, except that a dry run needs no API host or
// auth key: it plans against a placeholder host.
func (t *targetFlags) owClientOrDry(dryRun bool) (*whisk.Client, owdeploy.Config, error) {
	cli, cfg, err := t.owClient()
	if err != nil && !(dryRun && (errors.Is(err, owdeploy.ErrNoAPIHost) || errors.Is(err, owdeploy.ErrNoAuth))) {
		return nil, cfg, err
	}
	if cli == nil {
		if cli, err = whisk.NewClient(nil, &whisk.Config{Host: "https://openwhisk.invalid", Namespace: cfg.Namespace}); err != nil {
			return nil, cfg, err
		}
	}
	return cli, cfg, nil
}

// stepsRun says what a list of steps is for.
type stepsRun struct {
	target, verb, pkg string
	dryRun, asJSON    bool
}

// stepsReport is deploy's and undeploy's --json output.
type stepsReport struct {
	Target  string           `json:"target"`
	Verb    string           `json:"verb"`
	Package string           `json:"package"`
	DryRun  bool             `json:"dry_run"`
	Plan    []plannedStep    `json:"plan,omitempty"`
	Applied []deploy.Outcome `json:"applied,omitempty"`
	Gone    []string         `json:"already_gone,omitempty"`
	MS      float64          `json:"ms"`
}

// plannedStep is one step of a dry run's plan.
type plannedStep struct {
	Resource string `json:"resource"`
	Request  string `json:"request"`
	Body     any    `json:"body,omitempty"`
}

// applySteps prints the plan (a dry run) or applies the steps with a
// progress line per step, and reports the outcome.
func applySteps(ctx context.Context, e *env, w io.Writer, r stepsRun, steps []deploy.Step, secrets *redact.Set) error {
	rep := stepsReport{Target: r.target, Verb: r.verb, Package: r.pkg, DryRun: r.dryRun}
	if r.dryRun {
		name := r.target
		if r.verb != "deploy" {
			name += " " + r.verb
		}
		deploy.PrintPlan(w, name, steps)
		if !r.asJSON {
			return nil
		}
		for _, s := range steps {
			rep.Plan = append(rep.Plan, plannedStep{Resource: s.Resource, Request: s.Request, Body: s.Show})
		}
		return writeJSON(secrets.Writer(e.stdout), rep)
	}
	done := begin(e.stderr, "%s: %d steps on %s…", verbing(r.verb), len(steps), r.target)
	start := time.Now()
	outcomes, err := deploy.Run(ctx, w, r.target, r.verb, steps, secrets)
	if err != nil {
		return err
	}
	rep.Applied, rep.MS = outcomes, ms(time.Since(start))
	for _, o := range outcomes {
		if o.Note == deploy.NoteGone {
			rep.Gone = append(rep.Gone, o.Resource)
		}
	}
	switch {
	case r.verb == "undeploy" && len(rep.Gone) > 0:
		fmt.Fprintf(w, "undeployed %s: %d removed, %d already gone (%s)\n", r.pkg, len(steps)-len(rep.Gone), len(rep.Gone), strings.Join(rep.Gone, ", "))
	case r.verb == "undeploy":
		fmt.Fprintf(w, "undeployed %s: %d removed\n", r.pkg, len(steps))
	default:
		fmt.Fprintf(w, "deployed %s: %d steps applied\n", r.pkg, len(steps))
	}
	done("%s", r.verb+"ed "+r.pkg)
	if r.asJSON {
		return writeJSON(secrets.Writer(e.stdout), rep)
	}
	return nil
}

func verbing(verb string) string {
	if verb == "undeploy" {
		return "undeploying"
	}
	return "deploying"
}
