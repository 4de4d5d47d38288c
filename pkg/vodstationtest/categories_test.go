package vodstationtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type categoryPage struct {
	Content []struct {
		ID              int64  `json:"id"`
		Name            string `json:"name"`
		Disabled        bool   `json:"disabled"`
		Thumbnail       bool   `json:"thumbnail"`
		NotificationURL string `json:"notificationUrl"`
		Output          struct {
			BucketName    string `json:"bucketName"`
			FilePath      string `json:"filePath"`
			AccessControl string `json:"accessControl"`
		} `json:"output"`
	} `json:"content"`
	Total int `json:"total"`
}

func TestListCategoriesPaging(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategories(900, "cat-")

	var seen []int64
	for page := 1; page <= 46; page++ {
		status, body := call(t, s, http.MethodGet, fmt.Sprintf("/api/v2/category?pageNo=%d&pageSizeNo=20", page), nil)
		require.Equal(t, http.StatusOK, status, "page %d: %s", page, body)
		var p categoryPage
		require.NoError(t, json.Unmarshal(body, &p))
		assert.Equal(t, 900, p.Total)
		if page == 46 {
			assert.Empty(t, p.Content, "page after the last")
			assert.Contains(t, string(body), `"content":[]`)
			continue
		}
		require.Len(t, p.Content, 20, "page %d", page)
		for _, c := range p.Content {
			seen = append(seen, c.ID)
		}
	}
	require.Len(t, seen, 900)
	for i := 1; i < len(seen); i++ {
		assert.Less(t, seen[i-1], seen[i], "ids in order")
	}

	// Defaults: pageNo 1, pageSizeNo 20.
	status, body := call(t, s, http.MethodGet, "/api/v2/category", nil)
	require.Equal(t, http.StatusOK, status)
	var p categoryPage
	require.NoError(t, json.Unmarshal(body, &p))
	require.Len(t, p.Content, 20)
	assert.Equal(t, "cat-1", p.Content[0].Name)
	assert.Equal(t, seen[0], p.Content[0].ID)

	// Last partial page.
	status, body = call(t, s, http.MethodGet, "/api/v2/category?pageNo=4&pageSizeNo=299", nil)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, json.Unmarshal(body, &p))
	assert.Len(t, p.Content, 3)
}

func TestListCategoriesShapeAndErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{ID: 7, Name: "movies", NotificationURL: "https://cb.example/x", OutputBucket: "out", OutputPath: "/enc"})
	s.AddCategory(Category{ID: 3, Name: "music", Disabled: true})

	status, body := call(t, s, http.MethodGet, "/api/v2/category?pageNo=1&pageSizeNo=20", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"content":[
		{"id":3,"name":"music","disabled":true,"thumbnail":false,"notificationUrl":"","output":{"bucketName":"","filePath":"","accessControl":"PUBLIC_READ"}},
		{"id":7,"name":"movies","disabled":false,"thumbnail":false,"notificationUrl":"https://cb.example/x","output":{"bucketName":"out","filePath":"/enc","accessControl":"PUBLIC_READ"}}
	],"total":2}`, string(body))

	tests := []struct {
		name, query, code string
	}{
		{"pageNo zero", "pageNo=0", CodeInvalidPageNo},
		{"pageNo negative", "pageNo=-3", CodeInvalidPageNo},
		{"pageNo not a number", "pageNo=one", CodeInputValue},
		{"pageSizeNo zero", "pageSizeNo=0", CodeInputValue},
		{"pageSizeNo not a number", "pageSizeNo=x", CodeInputValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, "/api/v2/category?"+tt.query, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, tt.code, errorOf(t, body).ErrorCode)
		})
	}

	// A huge page number is an empty page, not an overflow.
	status, body = call(t, s, http.MethodGet, "/api/v2/category?pageNo=9223372036854775807&pageSizeNo=1000", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"content":[],"total":2}`, string(body))
}

func TestGetCategory(t *testing.T) {
	s := newTestServer(t, Options{})
	c := s.AddCategory(Category{Name: "movies", OutputBucket: "out", OutputPath: "enc",
		EncodingOptions: []EncodingOption{{ID: 5, OutputType: "AVC_FHD"}, {ID: 9, OutputType: "AVC_SD"}}})
	d := s.AddCategory(Category{Name: "defaults"})
	assert.Equal(t, c.ID+1, d.ID, "ids assigned in order")
	assert.Equal(t, DefaultEncodingOptions(), d.EncodingOptions)

	got, ok := s.CategoryByID(c.ID)
	require.True(t, ok)
	assert.Equal(t, c, got)
	c.EncodingOptions[0].ID = 99 // the returned copy is the caller's
	got, _ = s.CategoryByID(c.ID)
	assert.Equal(t, int64(5), got.EncodingOptions[0].ID)
	_, ok = s.CategoryByID(12345)
	assert.False(t, ok)

	status, body := call(t, s, http.MethodGet, fmt.Sprintf("/api/v2/category/%d", c.ID), nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, fmt.Sprintf(`{"content":{"id":%d,"name":"movies","disabled":false,"thumbnail":false,"notificationUrl":"",
		"output":{"bucketName":"out","filePath":"enc","accessControl":"PUBLIC_READ"},"encodingOptions":[5,9]}}`, c.ID), string(body))

	status, body = call(t, s, http.MethodGet, fmt.Sprintf("/api/v2/category/%d", d.ID), nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"encodingOptions":[1,2]`)

	for _, id := range []string{"999", "abc", "99999999999999999999"} {
		t.Run("unknown "+id, func(t *testing.T) {
			status, body := call(t, s, http.MethodGet, "/api/v2/category/"+id, nil)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Equal(t, CodeResourceNotFound, errorOf(t, body).ErrorCode)
		})
	}
}

// TestGetEncodingOption: GET /api/v2/encoding-option/{id} names an option
// of a category (its name is the outputType of the outputs).
func TestGetEncodingOption(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddCategory(Category{Name: "movies", EncodingOptions: []EncodingOption{{ID: 5, OutputType: "AVC_FHD_2Pass_30fps"}}})
	s.AddCategory(Category{Name: "defaults"})

	status, body := call(t, s, http.MethodGet, "/api/v2/encoding-option/5", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"content":{"id":5,"name":"AVC_FHD_2Pass_30fps","encodingOptionType":"NORMAL","format":"MP4","defaultSet":true}}`, string(body))
	status, body = call(t, s, http.MethodGet, "/api/v2/encoding-option/2", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"name":"AVC_HD_1Pass_30fps"`)
	for _, id := range []string{"999", "abc"} {
		status, body := call(t, s, http.MethodGet, "/api/v2/encoding-option/"+id, nil)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, CodeResourceNotFound, errorOf(t, body).ErrorCode)
	}
}

func TestChannelInfo(t *testing.T) {
	s := newTestServer(t, Options{})
	ch := s.AddChannel(Channel{ID: "vs-20240101000000-abcde", Name: "main", StorageBucketName: "vod",
		EncryptedBucketName: "enc123", CDNDomain: "example.edge.naverncp.com", ProtocolList: []string{"HLS", "DASH"}})
	assert.Equal(t, "vs-20240101000000-abcde", ch.ID)
	auto := s.AddChannel(Channel{Name: "auto"})
	assert.NotEmpty(t, auto.ID)
	assert.Equal(t, []string{"HLS"}, auto.ProtocolList)

	status, body := call(t, s, http.MethodGet, "/api/v2/channels/vs-20240101000000-abcde", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"content":{"id":"vs-20240101000000-abcde","name":"main","channelStatus":"READY",
		"storageBucketName":"vod","encryptedBucketName":"enc123","protocolList":["HLS","DASH"],
		"cdn":{"cdnType":"GLOBAL_EDGE","cdnDomain":"example.edge.naverncp.com"}}}`, string(body))

	status, body = call(t, s, http.MethodGet, "/api/v2/channels/"+auto.ID, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"name":"auto"`)

	status, body = call(t, s, http.MethodGet, "/api/v2/channels/nope", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, CodeResourceNotFound, errorOf(t, body).ErrorCode)
}
