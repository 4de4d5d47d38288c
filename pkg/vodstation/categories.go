package vodstation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/vodflow/vodflow/pkg/ncpapi"
)

// DefaultPageSize is the page size used when paging through categories
// (the API's documented default).
const DefaultPageSize = 20

// ID is a VOD Station id. The API types ids as integers in some places and
// strings in others; ID accepts both and keeps the text.
type ID string

// UnmarshalJSON implements json.Unmarshaler.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id: want a number or string, got %s", ncpapi.Clip(string(b), 40))
	}
	*id = ID(n.String())
	return nil
}

// Category is a VOD Station category: encoding settings and an output place.
type Category struct {
	ID              ID              `json:"id"`
	Name            string          `json:"name"`
	Disabled        bool            `json:"disabled"`
	NotificationURL string          `json:"notificationUrl,omitempty"`
	Output          *CategoryOutput `json:"output,omitempty"`
	// EncodingOptions are the category's encoding options. The category
	// info (GET /api/v2/category/{id}) lists them as ids; an element may
	// also be an object with its id and name, which [EncodingOption]
	// reads too.
	EncodingOptions []EncodingOption `json:"encodingOptions,omitempty"`
}

// EncodingOption is one encoding option (one output) of a category.
type EncodingOption struct {
	// ID is the option id (callbacks' encodingOptionId).
	ID ID `json:"id"`
	// OutputType is the option's name, e.g. "AVC_HD_1Pass_30fps": the
	// outputType of its callbacks and the suffix of its output files,
	// <category name>/<input basename>_<outputType>.mp4. "" when not known
	// (the category listed only the id).
	OutputType string `json:"outputType,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler: an id (number or string), or
// an object with id (or encodingOptionId) and name (or outputType).
func (o *EncodingOption) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return o.ID.UnmarshalJSON(b)
	}
	var v struct {
		ID               *ID    `json:"id"`
		EncodingOptionID *ID    `json:"encodingOptionId"`
		Name             string `json:"name"`
		OutputType       string `json:"outputType"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = EncodingOption{OutputType: v.OutputType}
	if o.OutputType == "" {
		o.OutputType = v.Name
	}
	switch {
	case v.ID != nil:
		o.ID = *v.ID
	case v.EncodingOptionID != nil:
		o.ID = *v.EncodingOptionID
	}
	return nil
}

// CategoryOutput is where a category writes its encoded files.
type CategoryOutput struct {
	BucketName    string `json:"bucketName"`
	FilePath      string `json:"filePath"`
	AccessControl string `json:"accessControl,omitempty"`
}

// CategoryPage is one page of the category list.
type CategoryPage struct {
	Categories []Category `json:"content"`
	Total      int        `json:"total"`
}

// ListCategories returns one page of categories (pageNo from 1).
// https://api.ncloud-docs.com/docs/en/vodstation-category-list
func (c *Client) ListCategories(ctx context.Context, pageNo, pageSize int) (CategoryPage, error) {
	if pageNo < 1 || pageSize < 1 {
		return CategoryPage{}, fmt.Errorf("vodstation: list categories: page %d size %d: both must be at least 1", pageNo, pageSize)
	}
	q := url.Values{"pageNo": {strconv.Itoa(pageNo)}, "pageSizeNo": {strconv.Itoa(pageSize)}}
	resp, err := c.call(ctx, "list categories", "GET", "/api/v2/category", q, nil, retryRead)
	if err != nil {
		return CategoryPage{}, err
	}
	var page CategoryPage
	if err := json.Unmarshal(resp.Body(), &page); err != nil {
		return CategoryPage{}, fmt.Errorf("vodstation: list categories: %w", unreadable("GET", "/api/v2/category", resp.StatusCode(), "unreadable category list: "+err.Error(), false))
	}
	return page, nil
}

// FindCategory pages through the category list and returns the first
// enabled category named exactly name. It fails with ErrCategoryNotFound
// when there is none. Pages are walked until the listed total is reached.
func (c *Client) FindCategory(ctx context.Context, name string) (Category, error) {
	size := DefaultPageSize
	seen := 0
	for pageNo := 1; ; pageNo++ {
		page, err := c.ListCategories(ctx, pageNo, size)
		if err != nil {
			return Category{}, err
		}
		for _, cat := range page.Categories {
			if cat.Name == name && !cat.Disabled {
				return cat, nil
			}
		}
		seen += len(page.Categories)
		if len(page.Categories) == 0 || seen >= page.Total {
			break
		}
		if pageNo == 1 && len(page.Categories) < size {
			// The server capped the page size: keep walking with its size,
			// so page offsets stay aligned and nothing is skipped.
			size = len(page.Categories)
		}
	}
	return Category{}, fmt.Errorf("vodstation: find category %q: %w (looked at %d categories)", name, ErrCategoryNotFound, seen)
}

// GetCategory returns one category with its encoding option ids.
// https://api.ncloud-docs.com/docs/en/vodstation-category-info
func (c *Client) GetCategory(ctx context.Context, id string) (Category, error) {
	path := "/api/v2/category/" + url.PathEscape(id)
	resp, err := c.call(ctx, "get category "+id, "GET", path, nil, nil, retryRead)
	if err != nil {
		return Category{}, err
	}
	var body struct {
		Content Category `json:"content"`
	}
	if err := json.Unmarshal(resp.Body(), &body); err != nil {
		return Category{}, fmt.Errorf("vodstation: get category %s: %w", id, unreadable("GET", path, resp.StatusCode(), "unreadable category: "+err.Error(), false))
	}
	return body.Content, nil
}

// GetEncodingOption returns one encoding option; its name is the
// OutputType. (ncp-api.md §2.8)
func (c *Client) GetEncodingOption(ctx context.Context, id string) (EncodingOption, error) {
	path := "/api/v2/encoding-option/" + url.PathEscape(id)
	resp, err := c.call(ctx, "get encoding option "+id, "GET", path, nil, nil, retryRead)
	if err != nil {
		return EncodingOption{}, err
	}
	var body struct {
		Content EncodingOption `json:"content"`
	}
	if err := json.Unmarshal(resp.Body(), &body); err != nil || body.Content.OutputType == "" {
		msg := "an encoding option without a name"
		if err != nil {
			msg = "unreadable encoding option: " + err.Error()
		}
		return EncodingOption{}, fmt.Errorf("vodstation: get encoding option %s: %w", id, unreadable("GET", path, resp.StatusCode(), msg, false))
	}
	if body.Content.ID == "" {
		body.Content.ID = ID(id)
	}
	return body.Content, nil
}

// OutputTypes returns the output types of the category's encoding
// options: from cat when it names them all, else from the category info
// and each option it lists (1 + n reads).
func (c *Client) OutputTypes(ctx context.Context, cat Category) ([]string, error) {
	opts := cat.EncodingOptions
	if len(opts) == 0 {
		info, err := c.GetCategory(ctx, string(cat.ID))
		if err != nil {
			return nil, err
		}
		opts = info.EncodingOptions
	}
	types := make([]string, 0, len(opts))
	for _, o := range opts {
		if o.OutputType == "" {
			full, err := c.GetEncodingOption(ctx, string(o.ID))
			if err != nil {
				return nil, err
			}
			o = full
		}
		types = append(types, o.OutputType)
	}
	return types, nil
}
