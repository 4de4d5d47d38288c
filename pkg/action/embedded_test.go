package action_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/action"
)

// InnerCfg is embedded by pointer in outerCfg (exported: reflect sets only
// exported embedded pointers).
type InnerCfg struct {
	Region string `json:"REGION"`
}

// TaggedCfg is embedded under a name of its own in outerCfg.
type TaggedCfg struct {
	Zone string `json:"ZONE"`
}

type outerCfg struct {
	*InnerCfg            // followed: REGION is read, the pointer allocated
	TaggedCfg `json:"B"` // a tag makes it one parameter B, not followed
	Plain     struct {   // a struct-valued field without a tag is the parameter Plain
		X string `json:"X"`
	}
}

// TestDecodeFieldsEmbeddedAndStructFields: only an embedded struct without
// a tag has its fields read as parameters of their own (through a nil
// pointer too); an embedded struct with a tag and a named struct field are
// one parameter each, holding an object.
func TestDecodeFieldsEmbeddedAndStructFields(t *testing.T) {
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"REGION":"KR","B":{"ZONE":"z1"},"Plain":{"X":"x1"},"ZONE":"top","X":"top"}`), &fields))
	var v outerCfg
	require.NoError(t, action.DecodeFields(fields, &v))
	require.NotNil(t, v.InnerCfg, "the embedded pointer is allocated")
	assert.Equal(t, "KR", v.Region)
	assert.Equal(t, "z1", v.Zone, "from B's object, not the top-level ZONE")
	assert.Equal(t, "x1", v.Plain.X, "from Plain's object, not the top-level X")
}

// TestDecodeFieldsScalarGivenAContainer: a string or an integer given an
// object or a list says what it got, with nothing about what it holds.
func TestDecodeFieldsScalarGivenAContainer(t *testing.T) {
	for _, tt := range []struct{ json, want string }{
		{`{"NAME":{"a":1}}`, "invalid parameter NAME: got an object, want a string"},
		{`{"NAME":["a"]}`, "invalid parameter NAME: got a list, want a string"},
		{`{"count":{"a":"b"}}`, "invalid parameter count: got an object, want an integer"},
		{`{"count":[1]}`, "invalid parameter count: got a list, want an integer"},
	} {
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(tt.json), &fields))
		var v decodeTarget
		err := action.DecodeFields(fields, &v)
		require.Error(t, err, tt.json)
		assert.Equal(t, tt.want, err.Error(), tt.json)
	}
}

type skippedFieldsCfg struct {
	Ignored string `json:"-"` // never a parameter, even one named "-" or Ignored
	hidden  string // unexported: never set
	Name    string `json:"NAME"`
	Count   int    `json:"COUNT"`
}

// TestDecodeFieldsSkipsIgnoredAndUnexported: a field tagged "-" and an
// unexported field are not parameters, and the fields after them are
// still read.
func TestDecodeFieldsSkipsIgnoredAndUnexported(t *testing.T) {
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"-":"dash","Ignored":"x","hidden":"h","NAME":"n1","COUNT":3}`), &fields))
	var v skippedFieldsCfg
	require.NoError(t, action.DecodeFields(fields, &v))
	assert.Equal(t, skippedFieldsCfg{Name: "n1", Count: 3}, v)
	assert.Empty(t, v.hidden)
}
