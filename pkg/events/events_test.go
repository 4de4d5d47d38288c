package events_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/events"
)

func TestDecodeKeys(t *testing.T) {
	tests := []struct {
		name    string
		params  string
		policy  events.KeyDecoding
		wantKey string
	}{
		{"plain", `{"object_name":"in/video.mp4"}`, events.DecodeAuto, "in/video.mp4"},
		{"raw space", `{"object_name":"in/my video.mp4"}`, events.DecodeAuto, "in/my video.mp4"},
		{"raw plus stays plus", `{"object_name":"in/a+b.mp4"}`, events.DecodeAuto, "in/a+b.mp4"},
		{"raw korean", `{"object_name":"in/한글 영상.mp4"}`, events.DecodeAuto, "in/한글 영상.mp4"},
		{"encoded korean", `{"object_name":"in/%ED%95%9C%EA%B8%80.mp4"}`, events.DecodeAuto, "in/한글.mp4"},
		{"encoded space", `{"object_name":"in/my%20video.mp4"}`, events.DecodeAuto, "in/my video.mp4"},
		{"encoded plus", `{"object_name":"in/a%2Bb.mp4"}`, events.DecodeAuto, "in/a+b.mp4"},
		{"literal percent", `{"object_name":"in/100%.mp4"}`, events.DecodeAuto, "in/100%.mp4"},
		{"literal percent with space is raw", `{"object_name":"in/50%25 off.mp4"}`, events.DecodeAuto, "in/50%25 off.mp4"},
		{"decoded only once", `{"object_name":"in/%2541.mp4"}`, events.DecodeAuto, "in/%41.mp4"},
		{"policy none", `{"object_name":"in/%ED%95%9C.mp4"}`, events.DecodeNone, "in/%ED%95%9C.mp4"},
		{"policy path", `{"object_name":"in/a+b%20c.mp4"}`, events.DecodePath, "in/a+b c.mp4"},
		{"policy query", `{"object_name":"in/a+b%20c.mp4"}`, events.DecodeQuery, "in/a b c.mp4"},
		{"policy query, invalid escape kept", `{"object_name":"in/100%.mp4"}`, events.DecodeQuery, "in/100%.mp4"},
		{"alternate field objectName", `{"objectName":"x.mp4"}`, events.DecodeAuto, "x.mp4"},
		{"alternate field key", `{"key":"x.mp4"}`, events.DecodeAuto, "x.mp4"},
		{"object_name preferred", `{"key":"b.mp4","object_name":"a.mp4"}`, events.DecodeAuto, "a.mp4"},
		// Each hex digit range, at both ends, is an escape (the only one in the key).
		{"escape with 0", `{"object_name":"in/%30.mp4"}`, events.DecodeAuto, "in/0.mp4"},
		{"escape with 9", `{"object_name":"in/%39.mp4"}`, events.DecodeAuto, "in/9.mp4"},
		{"escape with a", `{"object_name":"in/%2a.mp4"}`, events.DecodeAuto, "in/*.mp4"},
		{"escape with f", `{"object_name":"in/%2f.mp4"}`, events.DecodeAuto, "in//.mp4"},
		{"escape with A", `{"object_name":"in/%2A.mp4"}`, events.DecodeAuto, "in/*.mp4"},
		{"escape with F", `{"object_name":"in/%2F.mp4"}`, events.DecodeAuto, "in//.mp4"},
		{"lowercase escapes", `{"object_name":"in/%ed%95%9c.mp4"}`, events.DecodeAuto, "in/한.mp4"},
		{"percent and one digit at the end is literal", `{"object_name":"in/a%4"}`, events.DecodeAuto, "in/a%4"},
		{"percent and two digits at the end is an escape", `{"object_name":"in/a%41"}`, events.DecodeAuto, "in/aA"},
		{"percent at the end is literal", `{"object_name":"in/a%"}`, events.DecodeAuto, "in/a%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := events.Decode([]byte(tt.params), tt.policy)
			require.NoError(t, err)
			require.Len(t, objs, 1)
			assert.Equal(t, tt.wantKey, objs[0].Key)
		})
	}
}

func TestDecodeFlatMetadata(t *testing.T) {
	objs, err := events.Decode([]byte(`{"object_name":"a.mp4","bucket_name":"up","size":12,"etag":"e1","event_type":"PUT","NCLOUD_SECRET_KEY":"x"}`), events.DecodeAuto)
	require.NoError(t, err)
	assert.Equal(t, events.Object{Bucket: "up", Key: "a.mp4", RawKey: "a.mp4", Size: 12, ETag: "e1", EventName: "PUT"}, objs[0])

	objs, err = events.Decode([]byte(`{"object_name":"a.mp4","bucket":{"name":"nested"}}`), events.DecodeAuto)
	require.NoError(t, err)
	assert.Equal(t, "nested", objs[0].Bucket)
}

// In a flat payload the first field present of each kind wins, in the
// documented order, whichever comes first in the JSON.
func TestDecodeFlatFieldOrder(t *testing.T) {
	objs, err := events.Decode([]byte(`{"container":"c4","bucket":"b3","bucketName":"b2","bucket_name":"b1",`+
		`"eventType":"e4","event_type":"e3","event_name":"e2","eventName":"e1",`+
		`"ETag":"t3","eTag":"t2","etag":"t1","key":"k5","object_name":"k1.mp4"}`), events.DecodeAuto)
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, events.Object{Bucket: "b1", Key: "k1.mp4", RawKey: "k1.mp4", ETag: "t1", EventName: "e1"}, objs[0])

	objs, err = events.Decode([]byte(`{"bucket":"b3","container":"c4","eTag":"t2","ETag":"t3","event_name":"e2","eventType":"e4","key":"k5"}`), events.DecodeAuto)
	require.NoError(t, err)
	require.Len(t, objs, 1)
	assert.Equal(t, events.Object{Bucket: "b3", Key: "k5", RawKey: "k5", ETag: "t2", EventName: "e2"}, objs[0])
}

func TestDecodeS3Records(t *testing.T) {
	raw, err := os.ReadFile("testdata/s3-put.json")
	require.NoError(t, err)
	objs, err := events.Decode(raw, events.DecodeAuto)
	require.NoError(t, err)
	require.Len(t, objs, 2)
	assert.Equal(t, events.Object{
		Bucket: "uploads", Key: "incoming/my holiday 한글.mp4", RawKey: "incoming/my+holiday+%ED%95%9C%EA%B8%80.mp4",
		Size: 104857600, ETag: "9b2cf535f27731c974343645a3985328",
		EventName: "ObjectCreated:CompleteMultipartUpload", EventTime: "2026-11-21T10:00:00.000Z",
	}, objs[0])
	assert.True(t, objs[0].Created())
	assert.False(t, objs[1].Created(), "a delete is not an upload")
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name, params, field, code string
	}{
		{"no key at all", `{"bucket_name":"b"}`, "object_name", "missing_parameter"},
		{"empty params", `{}`, "object_name", "missing_parameter"},
		{"number key", `{"object_name":42}`, "object_name", "invalid_parameter"},
		{"object key", `{"objectName":{"a":1}}`, "objectName", "invalid_parameter"},
		{"number bucket", `{"object_name":"a.mp4","bucket_name":7}`, "bucket_name", "invalid_parameter"},
		{"bucket object without a name", `{"object_name":"a.mp4","bucket":{"id":1}}`, "bucket", "invalid_parameter"},
		{"records not a list", `{"Records":{"a":1}}`, "Records", "invalid_parameter"},
		{"records empty", `{"Records":[]}`, "Records", "missing_parameter"},
		{"record without key", `{"Records":[{"s3":{"bucket":{"name":"b"},"object":{}}}]}`, "Records[0].s3.object.key", "missing_parameter"},
		{"key too long", `{"object_name":"` + strings.Repeat("a", 1025) + `"}`, "object_name", "invalid_parameter"},
		{"not an object", `[1,2]`, "parameters", "invalid_parameter"},
		// Inside the records: the record, or its field, by index.
		{"a record not an object", `{"Records":[{"s3":{"object":{"key":"a.mp4"}}},7]}`, "Records[1]", "invalid_parameter"},
		{"a record's key a number", `{"Records":[{"s3":{"object":{"key":"a.mp4"}}},{"s3":{"object":{"key":5}}}]}`, "Records[1].s3.object.key", "invalid_parameter"},
		{"a record's size a string", `{"Records":[{"s3":{"object":{"key":"a.mp4","size":"big"}}}]}`, "Records[0].s3.object.size", "invalid_parameter"},
		{"invalid UTF-8 in a record's key", "{\"Records\":[{\"s3\":{\"object\":{\"key\":\"a.mp4\"}}},{\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"\xff.mp4\"}}}]}", "Records[1].s3.object.key", "invalid_parameter"},
		{"a lone surrogate in a record's bucket", `{"Records":[{"s3":{"bucket":{"name":"b\ud800"},"object":{"key":"a.mp4"}}}]}`, "Records[0].s3.bucket.name", "invalid_parameter"},
		{"invalid UTF-8 elsewhere in a record", "{\"Records\":[{\"eventName\":\"\xfe\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a.mp4\"}}}]}", "Records[0]", "invalid_parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := events.Decode([]byte(tt.params), events.DecodeAuto)
			var fe *events.FieldError
			require.True(t, errors.As(err, &fe), "err = %v", err)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, tt.code, fe.ErrorCode())
			assert.Equal(t, 400, fe.HTTPStatus())
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestKeyAtLimit(t *testing.T) {
	params, _ := json.Marshal(map[string]string{"object_name": strings.Repeat("a", 1024)})
	_, err := events.Decode(params, events.DecodeAuto)
	assert.NoError(t, err)
}

func TestParseKeyDecoding(t *testing.T) {
	for in, want := range map[string]events.KeyDecoding{"": events.DecodeAuto, "AUTO": events.DecodeAuto, " none ": events.DecodeNone, "path": events.DecodePath, "query": events.DecodeQuery} {
		got, err := events.ParseKeyDecoding(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := events.ParseKeyDecoding("base64")
	assert.ErrorContains(t, err, "KEY_DECODING")
}

// TestClassifyEvent: which event names are uploads. Only known non-create
// kinds are kept from encoding; an unknown name is submitted (with a
// warning, by lookup-category).
func TestClassifyEvent(t *testing.T) {
	tests := []struct {
		name string
		want events.EventKind
	}{
		{"", events.EventUnnamed},
		{"  ", events.EventUnnamed},
		// create kinds
		{"ObjectCreated:Put", events.EventCreate},
		{"ObjectCreated:Post", events.EventCreate},
		{"ObjectCreated:Copy", events.EventCreate},
		{"ObjectCreated:CompleteMultipartUpload", events.EventCreate},
		{"ObjectCreated:*", events.EventCreate},
		{"s3:ObjectCreated:Put", events.EventCreate},
		{"objectcreated:put", events.EventCreate},
		{"PUT", events.EventCreate},
		{"Post", events.EventCreate},
		{"COPY", events.EventCreate},
		{"CompleteMultipartUpload", events.EventCreate},
		// delete-only and remove-only names
		{"DELETE", events.EventNotCreate},
		{"ObjectDeleted", events.EventNotCreate},
		{"Remove", events.EventNotCreate},
		{"ObjectRemoved:Delete", events.EventNotCreate},
		{"ObjectRemoved:DeleteMarkerCreated", events.EventNotCreate},
		{"s3:ObjectRemoved:*", events.EventNotCreate},
		// the other non-create kinds
		{"ObjectTagging:Put", events.EventNotCreate},
		{"ObjectTagging:Delete", events.EventNotCreate},
		{"ObjectAcl:Put", events.EventNotCreate},
		{"ObjectRestore:Post", events.EventNotCreate},
		{"ObjectRestore:Completed", events.EventNotCreate},
		{"ObjectRestore:Delete", events.EventNotCreate},
		{"LifecycleTransition", events.EventNotCreate},
		{"LifecycleExpiration:Delete", events.EventNotCreate},
		{"LifecycleExpiration:DeleteMarkerCreated", events.EventNotCreate},
		{"IntelligentTiering", events.EventNotCreate},
		{"Replication:OperationFailedReplication", events.EventNotCreate},
		{"ReducedRedundancyLostObject", events.EventNotCreate},
		{"s3:TestEvent", events.EventNotCreate},
		// unknown
		{"ObjectUploaded", events.EventUnknown},
		{"PutObject", events.EventUnknown},
		{"Putting", events.EventUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, events.ClassifyEvent(tt.name))
			assert.Equal(t, tt.want != events.EventNotCreate, events.Object{EventName: tt.name}.Created())
		})
	}
}
