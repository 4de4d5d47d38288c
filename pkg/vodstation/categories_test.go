package vodstation_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vodflow/vodflow/pkg/vodstation"
	"github.com/vodflow/vodflow/pkg/vodstationtest"
)

// TestOutputTypes: a category found by name lists no encoding options, so
// OutputTypes reads the category info (ids) and each option (its name),
// as the real API documents them.
func TestOutputTypes(t *testing.T) {
	s, c := newEmulatorClient(t)
	s.AddCategory(vodstationtest.Category{Name: "movies", EncodingOptions: []vodstationtest.EncodingOption{
		{ID: 7, OutputType: "AVC_FHD_2Pass_30fps"}, {ID: 9, OutputType: "AVC_SD_1Pass_30fps_1"}}})
	cat, err := c.FindCategory(context.Background(), "movies")
	require.NoError(t, err)
	types, err := c.OutputTypes(context.Background(), cat)
	require.NoError(t, err)
	assert.Equal(t, []string{"AVC_FHD_2Pass_30fps", "AVC_SD_1Pass_30fps_1"}, types)
	assert.Equal(t, 1, s.CountCalls("GET", "/api/v2/category/"), "the category info once")
	assert.Equal(t, 2, s.CountCalls("GET", "/api/v2/encoding-option/"), "each option once")

	cat.EncodingOptions = []vodstation.EncodingOption{{ID: "1", OutputType: "X"}}
	types, err = c.OutputTypes(context.Background(), cat)
	require.NoError(t, err)
	assert.Equal(t, []string{"X"}, types, "named options need no call")
	assert.Equal(t, 2, s.CountCalls("GET", "/api/v2/encoding-option/"))

	cat.EncodingOptions = []vodstation.EncodingOption{{ID: "404"}}
	_, err = c.OutputTypes(context.Background(), cat)
	assert.Error(t, err, "an unknown option is an error, not a silent gap")
}

// TestEncodingOptionDecoding: an encoding option is an id (number or
// string) or an object with its id and name.
func TestEncodingOptionDecoding(t *testing.T) {
	var cat vodstation.Category
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"encodingOptions":[3,"4",{"id":5,"name":"AVC_HD"},{"encodingOptionId":6,"outputType":"AVC_SD"}]}`), &cat))
	assert.Equal(t, []vodstation.EncodingOption{{ID: "3"}, {ID: "4"}, {ID: "5", OutputType: "AVC_HD"}, {ID: "6", OutputType: "AVC_SD"}}, cat.EncodingOptions)
	assert.Error(t, json.Unmarshal([]byte(`{"encodingOptions":[true]}`), &cat))
}
