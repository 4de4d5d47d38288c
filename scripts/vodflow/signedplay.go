package main

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/vodflow/vodflow/pkg/callback"
	"github.com/vodflow/vodflow/pkg/edgetoken"
	"github.com/vodflow/vodflow/pkg/param"
	"github.com/vodflow/vodflow/pkg/paramsfile"
	"github.com/vodflow/vodflow/pkg/redact"
	"github.com/vodflow/vodflow/pkg/signing"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
	"github.com/vodflow/vodflow/pkg/webhook"
)

// signingParams are the parameters the emulator's edge checks tokens by.
var signingParams = []string{"PLAYBACK_TOKEN_KEY", "PLAYBACK_TOKEN_NAME", "PLAYBACK_TOKEN_TYPE", "PLAYBACK_TOKEN_TTL"}

// edgeSignerOf is the Global Edge token signer the parameters describe,
// read as encoding-callback reads them (callback.Signing); nil when
// PLAYBACK_TOKEN_KEY is not set.
func edgeSignerOf(params map[string]any) (*edgetoken.Signer, error) {
	text := func(k string) string {
		if v, ok := params[k]; ok && v != nil {
			return strings.TrimSpace(fmt.Sprint(v))
		}
		return ""
	}
	s := callback.Signing{TokenKey: signing.NewSecret(text("PLAYBACK_TOKEN_KEY")), TokenName: param.String(text("PLAYBACK_TOKEN_NAME")),
		TokenType: param.String(text("PLAYBACK_TOKEN_TYPE")), TokenTTL: param.String(text("PLAYBACK_TOKEN_TTL"))}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	sg, ok := s.Signer()
	if !ok {
		return nil, nil
	}
	return &sg, nil
}

// encodingCallbackParams are the parameters encoding-callback runs with:
// the package's, and its own over them.
func encodingCallbackParams(p *paramsfile.File) map[string]any {
	m := map[string]any{}
	for k, v := range p.Package.Parameters {
		m[k] = v
	}
	for k, v := range p.ActionParameters("encoding-callback") {
		m[k] = v
	}
	return m
}

// checkEdgeTokens turns the emulator's edge token check on when the
// parameters sign playback (PLAYBACK_TOKEN_KEY, with its NAME and TYPE),
// as Global Edge does once signed URLs are on in its console, and returns
// a line that says so ("" when they do not sign).
func checkEdgeTokens(srv *vodstationtest.Server, params map[string]any) (string, error) {
	sg, err := edgeSignerOf(params)
	if err != nil || sg == nil {
		return "", err
	}
	srv.SetEdgeToken(sg)
	return fmt.Sprintf("the Global Edge stand-in checks a %s token (%s, in the query or a cookie) on every manifest and segment", sg.Type, sg.Name), nil
}

// checkEdgeTokens turns the demo emulator's edge token check on when
// encoding-callback's parameters (-p included) sign playback, and says so
// on w; report is w's scrubber, told later to keep the signed tokens the
// events carry (allowTokens), so that the printed URLs play.
func (d *demoLoop) checkEdgeTokens(w io.Writer, p *paramsfile.File, report *redact.Set) error {
	line, err := checkEdgeTokens(d.emulator, encodingCallbackParams(p))
	if err != nil {
		return fmt.Errorf("signed playback: %w", err)
	}
	if line != "" {
		d.report = report
		fmt.Fprintln(w, line)
	}
	return nil
}

// allowTokens tells the report's scrubber to keep the signed tokens of
// the events' playback URLs: they are made for viewers (the key stays
// scrubbed wherever it appears).
func (d *demoLoop) allowTokens(evs []webhook.Event) {
	if d.report == nil {
		return
	}
	var urls []string
	for _, ev := range evs {
		if ev.Playback != nil {
			urls = append(urls, ev.Playback.HLS, ev.Playback.DASH)
		}
		if ev.Rendition != nil && ev.Rendition.Playback != nil {
			urls = append(urls, ev.Rendition.Playback.HLS, ev.Rendition.Playback.DASH)
		}
		for _, r := range ev.Renditions {
			if r.Playback != nil {
				urls = append(urls, r.Playback.HLS, r.Playback.DASH)
			}
		}
	}
	for _, u := range urls {
		// As sent, not decoded: a token's ACL keeps the path's escapes.
		if p, err := url.Parse(u); err == nil && p.RawQuery != "" {
			for _, kv := range strings.Split(p.RawQuery, "&") {
				_, v, _ := strings.Cut(kv, "=")
				d.report.Allow(v)
			}
		}
	}
}

// emulatorSigning is what vodflow emulator's -p sets: only the signing
// parameters, anything else a usage error.
func emulatorSigning(over overrides) (map[string]any, error) {
	m := over.asMap()
	for k := range m {
		if !slices.Contains(signingParams, k) {
			return nil, usagef("emulator", "-p %s: the emulator takes only %s", k, strings.Join(signingParams, ", "))
		}
	}
	return m, nil
}
