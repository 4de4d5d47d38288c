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
