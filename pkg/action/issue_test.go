package action_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/objectstorage"
	"github.com/vodflow/vodflow/pkg/signing"
)

const issueToken = "UPLOAD-TOKEN-SENTINEL-77ab01"

type issueIn struct {
	Secret signing.Secret `json:"NCLOUD_SECRET_KEY"`
	Token  signing.Secret `json:"UPLOAD_TOKEN"`
	Key    string         `json:"key"`
	Issue  bool           `json:"issue"`
}

type issueOut struct {
	Issued     string `json:"issued"`
	WithSecret string `json:"with_secret"`
	NotIssued  string `json:"not_issued"`
}

// presign returns a real presigned PUT of key, signed with secret.
func presign(t *testing.T, secret, key string) string {
	t.Helper()
	c, err := objectstorage.New(objectstorage.Config{Endpoint: "https://kr.object.ncloudstorage.com", Region: "kr-standard",
		AccessKey: "AKIDISSUE0123456789", SecretKey: signing.NewSecret(secret)})
	require.NoError(t, err)
	u, _, err := c.PresignPutSize("uploads-in", key, "video/mp4", 1234, 15*time.Minute)
	require.NoError(t, err)
	return u
}

func query(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	v := u.Query().Get(name)
	require.NotEmpty(t, v, "%s in %s", name, raw)
	return v
}

// TestIssueKeepsIssuedURLsInTheResultOnly: a result keeps the query values
// of the presigned URLs the handler issued (X-Amz-Signature and
// X-Amz-Credential, so the caller can use them), a known secret inside an
// issued URL is still scrubbed, a URL not issued is still scrubbed, an
// issue does not outlive its activation, and the log line keeps no
// issued grant: the edge writes it with the activation's known secrets
// and the shapes only (the log is for operators, who never need a
// signature, and is kept far longer than the URLs live).
func TestIssueKeepsIssuedURLsInTheResultOnly(t *testing.T) {
	var issued, withSecret, notIssued string
	var firstIssued, firstWithSecret, firstNotIssued string
	h := func(ctx context.Context, i issueIn) (issueOut, error) {
		issued = presign(t, i.Secret.Reveal(), i.Key)
		withSecret = presign(t, i.Secret.Reveal(), i.Key+".2") + "&x-note=" + i.Token.Reveal()
		notIssued = presign(t, i.Secret.Reveal(), "other/"+i.Key)
		if i.Issue {
			// A URL without a query first: nothing to keep of it, and the
			// URLs after it are still issued.
			action.Issue(ctx, "https://kr.object.ncloudstorage.com/uploads-in/plain.mp4", issued, withSecret)
			// The first activation's URLs: the second signs again, and
			// its X-Amz-Date (so its signatures) differs when a second
			// passes in between.
			firstIssued, firstWithSecret, firstNotIssued = issued, withSecret, notIssued
		}
		action.LogAttrs(ctx, action.String("issued", issued), action.String("with_secret", withSecret), action.String("not_issued", notIssued))
		return issueOut{Issued: issued, WithSecret: withSecret, NotIssued: notIssued}, nil
	}
	line := func(key string, issue bool) string {
		b, err := json.Marshal(map[string]any{"value": map[string]any{
			"NCLOUD_SECRET_KEY": sentinel, "UPLOAD_TOKEN": issueToken, "key": key, "issue": issue}})
		require.NoError(t, err)
		return string(b)
	}
	var res, logBuf bytes.Buffer
	env := map[string]string{}
	require.NoError(t, action.Serve(context.Background(), action.Options{
		Name: "test", In: strings.NewReader(line("uploads/up_a/clip.mp4", true) + "\n" + line("uploads/up_a/clip.mp4", false) + "\n"),
		Out: &res, Log: &logBuf,
		Getenv: func(k string) string { return env[k] }, Setenv: func(k, v string) error { env[k] = v; return nil },
	}, action.Simple(h)))
	var results []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(res.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		results = append(results, m)
	}
	logText := logBuf.String()
	require.Len(t, results, 2)
	logs := strings.Split(strings.TrimSpace(logText), "\n")
	require.Len(t, logs, 2, "one log line per activation")

	sig, cred := query(t, firstIssued, "X-Amz-Signature"), query(t, firstIssued, "X-Amz-Credential")
	sig2 := query(t, firstWithSecret, "X-Amz-Signature")
	otherSig := query(t, firstNotIssued, "X-Amz-Signature")
	require.NotEqual(t, sig, otherSig)

	first := results[0]
	assert.Equal(t, firstIssued, first["issued"], "an issued URL is kept whole")
	assert.Contains(t, first["issued"], "X-Amz-Signature="+sig)
	assert.Contains(t, first["issued"], "X-Amz-Credential="+url.QueryEscape(cred))
	assert.Contains(t, first["with_secret"], "X-Amz-Signature="+sig2, "its own signature is kept")
	assert.NotContains(t, first["with_secret"], issueToken, "a known secret inside an issued URL is scrubbed")
	assert.Contains(t, first["with_secret"], "x-note=[redacted]")
	assert.NotContains(t, first["not_issued"], otherSig, "a URL not issued is scrubbed")
	assert.Contains(t, first["not_issued"], "X-Amz-Signature=[redacted]")

	second := results[1]
	for _, k := range []string{"issued", "with_secret", "not_issued"} {
		assert.NotContains(t, second[k], sig, "%s: an issue ends with its activation", k)
		assert.NotContains(t, second[k], sig2, "%s: an issue ends with its activation", k)
		assert.Contains(t, second[k], "X-Amz-Signature=[redacted]", k)
	}

	for i, l := range logs {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		for _, k := range []string{"issued", "with_secret", "not_issued"} {
			require.Contains(t, m, k, "log line %d", i)
			assert.Contains(t, m[k], "X-Amz-Signature=[redacted]", "log line %d %s: no grant in the log", i, k)
		}
		for _, s := range []string{sig, sig2, otherSig, issueToken, sentinel} {
			assert.NotContains(t, l, s, "log line %d", i)
		}
	}
	all, err := json.Marshal(results)
	require.NoError(t, err)
	assert.NotContains(t, string(all), sentinel)
	assert.NotContains(t, string(all), issueToken)
}
