package actions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/actionproxy"
	"github.com/vodflow/vodflow/pkg/localrun"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestEmptyListParameterMeansDefault: a list parameter set to an empty
// value ("", " ", [], "[]") is not set, so lookup-category uses its
// default: with EXTENSIONS empty an .mp4 upload is submitted (it was
// skipped as unsupported_extension), and with EXCLUDE_PREFIXES empty
// nothing is excluded.
func TestEmptyListParameterMeansDefault(t *testing.T) {
	for _, param := range []string{"EXTENSIONS", "EXCLUDE_PREFIXES"} {
		for _, empty := range []any{"", " ", " , ", []any{}, "[]", []any{""}} {
			t.Run(param+"="+jsonText(empty), func(t *testing.T) {
				e := setup(t, nil, map[string]any{param: empty})
				res := fire(t, e, map[string]any{"object_name": "uploads/clip.mp4"})
				require.NotContains(t, res, "error")
				assert.NotContains(t, res, "skipped")
				assert.EqualValues(t, 1, res["submitted"])
				subs := e.vod.Submissions()
				require.Len(t, subs, 1)
				assert.Equal(t, []string{"uploads/clip.mp4"}, subs[0].Paths)
			})
		}
	}
	t.Run("EXTENSIONS empty still skips what the default skips", func(t *testing.T) {
		e := setup(t, nil, map[string]any{"EXTENSIONS": ""})
		res := fire(t, e, map[string]any{"object_name": "uploads/notes.txt"})
		assert.Equal(t, "unsupported_extension", res["reason"])
		assert.Empty(t, e.vod.Calls())
	})
}

// TestJSONListStringParameters: a list parameter given as a string that
// holds a JSON list (what the console sends) is read as that list, not
// split on its commas.
func TestJSONListStringParameters(t *testing.T) {
	tests := []struct {
		name   string
		lookup map[string]any
		key    string
		skip   string // "" when submitted
	}{
		{"EXCLUDE_PREFIXES guards", map[string]any{"EXCLUDE_PREFIXES": `["uploads/"]`}, "uploads/clip.mp4", "excluded_prefix"},
		{"EXCLUDE_PREFIXES, two items", map[string]any{"EXCLUDE_PREFIXES": `["encoded/", "uploads/"]`}, "uploads/clip.mp4", "excluded_prefix"},
		{"EXCLUDE_PREFIXES lets others through", map[string]any{"EXCLUDE_PREFIXES": `["encoded/"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS accepts", map[string]any{"EXTENSIONS": `["mp4"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS accepts the second", map[string]any{"EXTENSIONS": `["mov","mp4"]`}, "uploads/clip.mp4", ""},
		{"EXTENSIONS refuses others", map[string]any{"EXTENSIONS": `["mov"]`}, "uploads/clip.mp4", "unsupported_extension"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, nil, tt.lookup)
			res := fire(t, e, map[string]any{"object_name": tt.key})
			require.NotContains(t, res, "error")
			if tt.skip != "" {
				assert.Equal(t, true, res["skipped"])
				assert.Equal(t, tt.skip, res["reason"])
				assert.Empty(t, e.vod.Submissions())
				return
			}
			assert.EqualValues(t, 1, res["submitted"])
			assert.Len(t, e.vod.Submissions(), 1)
		})
	}
}

// s3Event is an S3-shaped upload event with one record per key, each with
// the event name.
func s3Event(eventName string, keys ...string) map[string]any {
	records := make([]any, len(keys))
	for i, k := range keys {
		records[i] = map[string]any{"eventName": eventName,
			"s3": map[string]any{"bucket": map[string]any{"name": bucket}, "object": map[string]any{"key": k, "size": 10 + i}}}
	}
	return map[string]any{"Records": records}
}

// TestOnlyCreateEventsAreSubmitted: create events are submitted, known
// non-create kinds (deletes, tag and ACL changes, restores, lifecycle
// transitions) are skipped as not_a_create_event with no API call, and an
// event type vodflow does not know is submitted with a warning.
func TestOnlyCreateEventsAreSubmitted(t *testing.T) {
	tests := []struct {
		event   string
		submit  bool
		warning bool
	}{
		{"ObjectCreated:Put", true, false},
		{"ObjectCreated:Post", true, false},
		{"ObjectCreated:Copy", true, false},
		{"ObjectCreated:CompleteMultipartUpload", true, false},
		{"ObjectCreated:*", true, false},
		{"PUT", true, false},
		{"COPY", true, false},
		{"CompleteMultipartUpload", true, false},
		{"", true, false},
		{"DELETE", false, false},
		{"ObjectRemoved:Delete", false, false},
		{"ObjectRemoved:*", false, false},
		{"ObjectTagging:Put", false, false},
		{"ObjectAcl:Put", false, false},
		{"ObjectRestore:Completed", false, false},
		{"ObjectRestore:Post", false, false},
		{"LifecycleTransition", false, false},
		{"LifecycleExpiration:Delete", false, false},
		{"ObjectUploaded", true, true},
	}
	for _, tt := range tests {
		for _, shape := range []string{"S3 record", "flat"} {
			t.Run(shape+" "+tt.event, func(t *testing.T) {
				e := setup(t, nil, nil)
				event := s3Event(tt.event, "uploads/clip.mp4")
				if shape == "flat" {
					event = map[string]any{"object_name": "uploads/clip.mp4", "eventName": tt.event}
				}
				res := fire(t, e, event)
				require.NotContains(t, res, "error")
				if !tt.submit {
					assert.Equal(t, true, res["skipped"])
					assert.Equal(t, "not_a_create_event", res["reason"])
					assert.Empty(t, e.vod.Calls(), "no API call")
					return
				}
				assert.EqualValues(t, 1, res["submitted"])
				assert.Len(t, e.vod.Submissions(), 1)
				if tt.warning {
					assert.Contains(t, jsonText(res["warnings"]), tt.event, "an unknown event type is submitted with a warning")
				} else {
					assert.NotContains(t, res, "warnings")
				}
			})
		}
	}
}

// TestRepeatedObjectIsSubmittedOnce: the same object twice in one event
// (two S3 records with one key, or a paths list with repeats given to
// add-files) is submitted once, with one file id, and each repeat is
// listed in skipped_files with reason repeated.
func TestRepeatedObjectIsSubmittedOnce(t *testing.T) {
	t.Run("S3 records through the sequence", func(t *testing.T) {
		e := setup(t, nil, nil)
		res := fire(t, e, s3Event("ObjectCreated:Put", "uploads/a.mp4", "uploads/b.mp4", "uploads/a.mp4", "uploads/a.mp4"))
		require.NotContains(t, res, "error")
		subs := e.vod.Submissions()
		require.Len(t, subs, 1)
		assert.Equal(t, []string{"uploads/a.mp4", "uploads/b.mp4"}, subs[0].Paths)
		assert.Len(t, subs[0].FileIDs, 2, "one file id per object")
		assert.EqualValues(t, 2, res["submitted"])
		assert.JSONEq(t, `[{"path":"uploads/a.mp4","reason":"repeated"},{"path":"uploads/a.mp4","reason":"repeated"}]`, jsonText(res["skipped_files"]))
	})
	t.Run("two records of one object only", func(t *testing.T) {
		e := setup(t, nil, nil)
		res := fire(t, e, s3Event("ObjectCreated:Put", "uploads/a.mp4", "uploads/a.mp4"))
		require.NotContains(t, res, "error")
		subs := e.vod.Submissions()
		require.Len(t, subs, 1)
		assert.Equal(t, []string{"uploads/a.mp4"}, subs[0].Paths)
		assert.EqualValues(t, 1, res["submitted"])
		assert.JSONEq(t, `[{"path":"uploads/a.mp4","reason":"repeated"}]`, jsonText(res["skipped_files"]))
	})
	for name, paths := range map[string][]any{
		"add-files paths":         {"x/a.mp4", "x/b.mp4", "x/a.mp4", "x/b.mp4"},
		"add-files one path, 3x":  {"x/a.mp4", "x/a.mp4", "x/a.mp4"},
		"add-files many, 1 twice": {"x/a.mp4", "x/b.mp4", "x/c.mp4", "x/b.mp4"},
	} {
		t.Run(name, func(t *testing.T) {
			e := setup(t, nil, nil)
			res, err := e.plat.RunAction(context.Background(), "add-files", map[string]any{"category_id": 45, "bucket_name": bucket, "paths": paths})
			require.NoError(t, err)
			require.NotContains(t, res, "error")
			var want []string
			seen := map[any]bool{}
			repeats := 0
			for _, p := range paths {
				if seen[p] {
					repeats++
					continue
				}
				seen[p] = true
				want = append(want, p.(string))
			}
			subs := e.vod.Submissions()
			require.Len(t, subs, 1)
			assert.Equal(t, want, subs[0].Paths)
			assert.EqualValues(t, len(want), res["submitted"])
			skipped, _ := res["skipped_files"].([]any)
			require.Len(t, skipped, repeats)
			for _, s := range skipped {
				m, _ := s.(map[string]any)
				assert.Equal(t, "repeated", m["reason"])
			}
		})
	}
}

// TestInvalidUTF8KeyIsAnError: a key whose raw bytes are not valid UTF-8
// (a 0xff byte in the activation line, or an escaped lone surrogate) is an
// error naming the field, through the shipped execs; encoding/json would
// have read it as U+FFFD and submitted another name.
func TestInvalidUTF8KeyIsAnError(t *testing.T) {
	vod, err := vodstationtest.NewServer(vodstationtest.Options{AccessKey: accessKey, SecretKey: secretKey, CallbackDelay: time.Hour})
	require.NoError(t, err)
	t.Cleanup(vod.Close)
	vod.AddCategory(vodstationtest.Category{Name: "movies"})
	start := func(name string) *actionproxy.Process {
		p, err := actionproxy.Start(context.Background(), actionproxy.Options{
			Path: localrun.ExecPath(binDir, name), ExecutionEnv: actionproxy.DefaultExecutionEnv,
		})
		require.NoError(t, err)
		t.Cleanup(func() { p.Close() })
		return p
	}
	procs := map[string]*actionproxy.Process{"lookup-category": start("lookup-category"), "add-files": start("add-files")}
	conf := `"NCLOUD_ACCESS_KEY":"` + accessKey + `","NCLOUD_SECRET_KEY":"` + secretKey + `","API_URL":"` + vod.URL + `"`
	tests := []struct {
		name, action, payload, field string
	}{
		{"object_name with 0xff", "lookup-category", `"object_name":"uploads/a` + "\xff" + `.mp4"`, "object_name"},
		{"object_name with a lone high surrogate", "lookup-category", `"object_name":"uploads/a\ud800.mp4"`, "object_name"},
		{"key with a lone low surrogate", "lookup-category", `"key":"uploads/a\udc00.mp4"`, "key"},
		{"a record's key with 0xff", "lookup-category", `"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"uploads/ok.mp4"}}},` +
			`{"s3":{"bucket":{"name":"b"},"object":{"key":"uploads/` + "\xfe\xff" + `.mp4"}}}]`, "Records[1].s3.object.key"},
		{"a record's key with an escaped surrogate", "lookup-category", `"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"\ud83c.mp4"}}}]`, "Records[0].s3.object.key"},
		{"file_name with 0xff", "add-files", `"category_id":"1","bucket_name":"b","file_name":"uploads/a` + "\xff" + `.mp4"`, "file_name"},
		{"object_name with a surrogate", "add-files", `"category_id":"1","bucket_name":"b","object_name":"\udfff.mp4"`, "object_name"},
		{"paths with 0xff", "add-files", `"category_id":"1","bucket_name":"b","paths":["uploads/ok.mp4","uploads/` + "\xff" + `.mp4"]`, "paths[1]"},
		{"paths with a surrogate", "add-files", `"category_id":"1","bucket_name":"b","paths":["\ud800x.mp4"]`, "paths[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := ""
			if tt.action == "lookup-category" {
				lookup = `,"CATEGORY_NAME":"movies","BUCKET_NAME":"b"`
			}
			res, err := procs[tt.action].Run(context.Background(), json.RawMessage("{"+conf+lookup+","+tt.payload+"}"), 0)
			require.NoError(t, err)
			obj, err := res.Object()
			require.NoError(t, err)
			e := errorOf(t, obj)
			assert.Equal(t, "invalid_parameter", e["code"])
			assert.Contains(t, e["message"], tt.field+": not valid UTF-8")
			assert.Empty(t, vod.Submissions(), "nothing was submitted")
		})
	}
}

// TestCategoryOutputIsNeverSubmitted: when the category writes into the
// upload bucket, its outputs are skipped as category_output: keys under
// its output folder (the output path, or <category name>/ when the path is
// the bucket's root) and keys named like its outputs
// (_<outputType>.mp4). The real uploads of the same event, before and
// after an output, are submitted.
func TestCategoryOutputIsNeverSubmitted(t *testing.T) {
	options := []vodstationtest.EncodingOption{{ID: 31, OutputType: "AVC_SD_1Pass_30fps"}, {ID: 32, OutputType: "AVC_FHD_2Pass_30fps"}}
	tests := []struct {
		outputPath string
		outputs    []string // keys that are the category's outputs
	}{
		{"/", []string{"movies/a_AVC_SD_1Pass_30fps.mp4", "movies/anything.mp4", "a_AVC_FHD_2Pass_30fps.mp4", "uploads/x_avc_sd_1pass_30fps.MP4"}},
		{"", []string{"movies/a_AVC_SD_1Pass_30fps.mp4", "/movies/b.mp4", "uploads/a_AVC_FHD_2Pass_30fps.mp4"}},
		{"/encoded/", []string{"encoded/movies/a_AVC_SD_1Pass_30fps.mp4", "encoded/other.mp4", "uploads/a_AVC_FHD_2Pass_30fps.mp4"}},
	}
	for _, tt := range tests {
		t.Run("output path "+jsonText(tt.outputPath), func(t *testing.T) {
			e := setup(t, nil, map[string]any{"CATEGORY_NAME": "movies", "EXCLUDE_PREFIXES": nil})
			e.vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: bucket, OutputPath: tt.outputPath, EncodingOptions: options})
			uploads := []string{"uploads/a.mp4", "uploads/b.mp4", "movies-2/c.mp4", "uploads/a_AVC_SD_1Pass_30fps.mov"}
			var keys []string // an output, then an upload, …
			for i, u := range uploads {
				if i < len(tt.outputs) {
					keys = append(keys, tt.outputs[i])
				}
				keys = append(keys, u)
			}
			if len(tt.outputs) > len(uploads) {
				keys = append(keys, tt.outputs[len(uploads):]...)
			}
			res := fire(t, e, s3Event("ObjectCreated:Put", keys...))
			require.NotContains(t, res, "error")
			subs := e.vod.Submissions()
			require.Len(t, subs, 1)
			assert.Equal(t, uploads, subs[0].Paths, "every real upload, none of the outputs")
			var skipped []string
			list, _ := res["skipped_files"].([]any)
			for _, s := range list {
				m, _ := s.(map[string]any)
				assert.Equal(t, "category_output", m["reason"], m["path"])
				skipped = append(skipped, fmt.Sprint(m["path"]))
			}
			assert.ElementsMatch(t, tt.outputs, skipped)
			assert.NotContains(t, res, "warnings")

			for _, out := range tt.outputs {
				calls := e.vod.CountCalls("PUT", "/api/v2")
				res = fire(t, e, s3Event("ObjectCreated:Put", out))
				assert.Equal(t, true, res["skipped"], out)
				assert.Equal(t, "category_output", res["reason"], out)
				assert.Equal(t, calls, e.vod.CountCalls("PUT", "/api/v2"), "no add-files call for %s", out)
			}
			assert.Equal(t, 1, e.vod.CountCalls("GET", "/api/v2/category/"), "the encoding options are read once per warm container")
			assert.Equal(t, 2, e.vod.CountCalls("GET", "/api/v2/encoding-option/"))
		})
	}
	t.Run("options unreadable: the folder still guards, with a warning", func(t *testing.T) {
		e := setup(t, nil, map[string]any{"CATEGORY_NAME": "movies", "EXCLUDE_PREFIXES": nil})
		e.vod.AddCategory(vodstationtest.Category{Name: "movies", OutputBucket: bucket, OutputPath: "/", EncodingOptions: options})
		e.vod.InjectFault(vodstationtest.Fault{Method: http.MethodGet, Path: "/api/v2/encoding-option/31", Status: 404,
			Body: `{"error":{"errorCode":"300","message":"Not Found Exception"}}`})
		res := fire(t, e, s3Event("ObjectCreated:Put", "movies/a_AVC_SD_1Pass_30fps.mp4", "uploads/a.mp4"))
		require.NotContains(t, res, "error")
		subs := e.vod.Submissions()
		require.Len(t, subs, 1)
		assert.Equal(t, []string{"uploads/a.mp4"}, subs[0].Paths)
		assert.Contains(t, jsonText(res["warnings"]), "only keys under movies/")
	})
}
