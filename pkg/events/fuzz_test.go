package events

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzPolicies are the key decodings every fuzzed event is decoded with.
var fuzzPolicies = []KeyDecoding{DecodeAuto, DecodeNone, DecodePath, DecodeQuery}

// FuzzDecode feeds arbitrary bytes to Decode as the action's parameter
// object, once per key decoding policy, and checks that Decode never
// panics and keeps its contract:
//
//   - on success it returns at least one object, and every object has a
//     non-empty, valid UTF-8 Key of at most MaxKeyBytes bytes and a
//     non-empty RawKey (with DecodeNone, Key is RawKey). A flat payload
//     gives exactly one object, its bucket trimmed. The decoder promises
//     no bucket ("" means the event named none), so none is required.
//   - on failure the error is a *FieldError with a non-empty Field that its
//     text names; input that is not a JSON object fails on "parameters".
//   - decoding is deterministic: the same input gives the same result.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../testdata/events/*.json", "testdata/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"objectKey":"a%2Fb%20c.mp4","bucket":{"name":" up "},"eventType":"PUT","ETag":"e"}`,
		`{"object_name":"100%.mp4","bucketName":"  "}`,
		`{"object_name":"%ff%fe.mp4"}`,
		`{"object_name":null,"key":"k+%41"}`,
		`{"object_name":7}`,
		`{"object_name":"a.mp4","bucket_name":[1]}`,
		`{"Records":[]}`,
		`{"Records":null,"object_name":"fallback.mp4"}`,
		`{"Records":[{"s3":{"object":{"key":""}}}]}`,
		`{"Records":[null]}`,
		`{"Records":{"s3":{}}}`,
		`{"Records":[{"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"a%20b+c","eTag":"\"x\""}}}]}`,
		`{"key":"` + strings.Repeat("%41", MaxKeyBytes) + `"}`,
		`{"key":"` + strings.Repeat("a", MaxKeyBytes+1) + `"}`,
		`["object_name"]`,
		`null`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, params []byte) {
		var fields map[string]json.RawMessage
		isObject := json.Unmarshal(params, &fields) == nil
		_, records := fields["Records"]
		records = records && !isNull(fields["Records"])
		for _, policy := range fuzzPolicies {
			objs, err := Decode(params, policy)
			again, err2 := Decode(params, policy)
			if !reflect.DeepEqual(objs, again) || !reflect.DeepEqual(err, err2) {
				t.Fatalf("%s: not deterministic: %#v, %v then %#v, %v", policy, objs, err, again, err2)
			}
			if err != nil {
				checkDecodeError(t, policy, isObject, objs, err)
				continue
			}
			if len(objs) == 0 {
				t.Fatalf("%s: no objects and no error", policy)
			}
			for i, o := range objs {
				switch {
				case o.Key == "" || o.RawKey == "":
					t.Fatalf("%s: object %d has an empty key: %#v", policy, i, o)
				case len(o.Key) > MaxKeyBytes:
					t.Fatalf("%s: object %d key is %d bytes, over %d", policy, i, len(o.Key), MaxKeyBytes)
				case !utf8.ValidString(o.Key):
					t.Fatalf("%s: object %d key %q is not valid UTF-8", policy, i, o.Key)
				case policy == DecodeNone && o.Key != o.RawKey:
					t.Fatalf("%s: key %q differs from raw key %q", policy, o.Key, o.RawKey)
				}
			}
			if !records && (len(objs) != 1 || objs[0].Bucket != strings.TrimSpace(objs[0].Bucket)) {
				t.Fatalf("%s: a flat payload gave %#v, want one object with a trimmed bucket", policy, objs)
			}
		}
	})
}

// checkDecodeError checks one failed Decode.
func checkDecodeError(t *testing.T, policy KeyDecoding, isObject bool, objs []Object, err error) {
	t.Helper()
	if objs != nil {
		t.Fatalf("%s: objects %#v returned with error %v", policy, objs, err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%s: error %T %v is not a *FieldError", policy, err, err)
	}
	msg := err.Error()
	if fe.Field == "" || fe.Problem == "" || !strings.Contains(msg, fe.Field) {
		t.Fatalf("%s: error %q does not name its field %q", policy, msg, fe.Field)
	}
	if code := fe.ErrorCode(); code != "missing_parameter" && code != "invalid_parameter" {
		t.Fatalf("%s: error code %q", policy, code)
	}
	if !isObject && fe.Field != "parameters" {
		t.Fatalf("%s: parameters that are no JSON object failed on field %q", policy, fe.Field)
	}
}
