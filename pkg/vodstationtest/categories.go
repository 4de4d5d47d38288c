package vodstationtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// Category is a VOD Station encoding category.
type Category struct {
	// ID is the category id; 0 asks AddCategory to assign one.
	ID int64
	// Name is the category name (not required to be unique, as in NCP).
	Name string
	// Disabled is reported as "disabled" by the category APIs; it does not
	// change how add-files behaves.
	Disabled bool
	// NotificationURL receives the callbacks of files added without a
	// per-request notification URL; "" means no callbacks.
	NotificationURL string
	// EncodingOptions are the outputs of every file; when empty, AddCategory
	// stores DefaultEncodingOptions.
	EncodingOptions []EncodingOption
	// OutputBucket and OutputPath are where encoded files go; they only
	// shape the "link" URLs. An empty OutputBucket means the input bucket.
	OutputBucket, OutputPath string
	// Thumbnail makes the category "make thumbnails": the category APIs
	// say thumbnail true, the status-info answer too (the emulator's
	// choice: NCP documents no such field there), and the edge serves a
	// poster {basename}_01.jpg beside the outputs.
	Thumbnail bool
}

// EncodingOption is one output of a category.
type EncodingOption struct {
	// ID is the encoding option id (callbacks' encodingOptionId).
	ID int64
	// OutputType is the option's name, e.g. "AVC_HD_1Pass_30fps".
	OutputType string
	// Width and Height are the output's video size, VideoBitrateKbps and
	// AudioBitrateKbps its bitrates. They drive the master playlist's
	// RESOLUTION and BANDWIDTH, the media encoded with ffmpeg, and the
	// status-info output elements (width, height, videoBitrate,
	// audioBitrate: the emulator's choice of the undocumented shape).
	// Zero means DefaultWidth×DefaultHeight at DefaultVideoKbps and
	// DefaultAudioKbps.
	Width, Height                      int
	VideoBitrateKbps, AudioBitrateKbps int
}

// What an EncodingOption without its own figures gets.
const (
	DefaultWidth     = 640
	DefaultHeight    = 360
	DefaultVideoKbps = 800
	DefaultAudioKbps = 128
)

// withDefaults fills an option's zero figures.
func (o EncodingOption) withDefaults() EncodingOption {
	if o.Width <= 0 || o.Height <= 0 {
		o.Width, o.Height = DefaultWidth, DefaultHeight
	}
	if o.VideoBitrateKbps <= 0 {
		o.VideoBitrateKbps = DefaultVideoKbps
	}
	if o.AudioBitrateKbps <= 0 {
		o.AudioBitrateKbps = DefaultAudioKbps
	}
	return o
}

// DefaultEncodingOptions returns the options a Category gets when it has
// none: {1, "AVC_SD_1Pass_30fps", 640×360 at 800+128 Kbps} and
// {2, "AVC_HD_1Pass_30fps", 1280×720 at 2500+128 Kbps} (the emulator's
// figures, not NCP's).
func DefaultEncodingOptions() []EncodingOption {
	return []EncodingOption{
		{ID: 1, OutputType: "AVC_SD_1Pass_30fps", Width: 640, Height: 360, VideoBitrateKbps: 800, AudioBitrateKbps: 128},
		{ID: 2, OutputType: "AVC_HD_1Pass_30fps", Width: 1280, Height: 720, VideoBitrateKbps: 2500, AudioBitrateKbps: 128},
	}
}

// AddCategory stores c and returns the stored copy. When c.ID is 0 a new id
// (greater than every id so far) is assigned; a category with the same id
// is replaced.
func (e *Emulator) AddCategory(c Category) Category {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addCategoryLocked(c)
}

func (e *Emulator) addCategoryLocked(c Category) Category {
	if c.ID == 0 {
		c.ID = e.nextCategory
	}
	if c.ID >= e.nextCategory {
		e.nextCategory = c.ID + 1
	}
	if len(c.EncodingOptions) == 0 {
		c.EncodingOptions = DefaultEncodingOptions()
	} else {
		c.EncodingOptions = slices.Clone(c.EncodingOptions)
		for i := range c.EncodingOptions {
			c.EncodingOptions[i] = c.EncodingOptions[i].withDefaults()
		}
	}
	if _, exists := e.categories[c.ID]; !exists {
		i, _ := slices.BinarySearch(e.categoryOrder, c.ID)
		e.categoryOrder = slices.Insert(e.categoryOrder, i, c.ID)
	}
	stored := c
	e.categories[c.ID] = &stored
	c.EncodingOptions = slices.Clone(c.EncodingOptions) // the caller's copy
	return c
}

// AddCategories adds n categories named namePrefix+"1" … namePrefix+"n"
// with fresh ids and default options, e.g. for paging tests (900
// categories = 45 pages of 20).
func (e *Emulator) AddCategories(n int, namePrefix string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := 1; i <= n; i++ {
		e.addCategoryLocked(Category{Name: namePrefix + strconv.Itoa(i)})
	}
}

// CategoryByID returns a copy of the stored category with the id.
func (e *Emulator) CategoryByID(id int64) (Category, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	c, ok := e.categories[id]
	if !ok {
		return Category{}, false
	}
	out := *c
	out.EncodingOptions = slices.Clone(c.EncodingOptions)
	return out, true
}

// categoryOutputJSON is a category's "output" object.
type categoryOutputJSON struct {
	BucketName    string `json:"bucketName"`
	FilePath      string `json:"filePath"`
	AccessControl string `json:"accessControl"`
}

// categoryJSON is an element of GET /api/v2/category (ncp-api.md §2.2).
type categoryJSON struct {
	ID              int64              `json:"id"`
	Name            string             `json:"name"`
	Disabled        bool               `json:"disabled"`
	Thumbnail       bool               `json:"thumbnail"`
	NotificationURL string             `json:"notificationUrl"`
	Output          categoryOutputJSON `json:"output"`
}

// categoryInfoJSON is GET /api/v2/category/{id}'s content (§2.3).
type categoryInfoJSON struct {
	categoryJSON
	EncodingOptions []int64 `json:"encodingOptions"`
}

func toCategoryJSON(c *Category) categoryJSON {
	return categoryJSON{
		ID:              c.ID,
		Name:            c.Name,
		Disabled:        c.Disabled,
		Thumbnail:       c.Thumbnail,
		NotificationURL: c.NotificationURL,
		Output: categoryOutputJSON{
			BucketName:    c.OutputBucket,
			FilePath:      c.OutputPath,
			AccessControl: "PUBLIC_READ",
		},
	}
}

// paging reads pageNo (default 1) and pageSizeNo (default 20, at least
// minSize). A value that is not an integer is 260002; pageNo < 1 is 260025.
func paging(r *http.Request, minSize int) (pageNo, pageSize int, errResp *response) {
	q := r.URL.Query()
	pageNo, pageSize = 1, 20
	if v := q.Get("pageNo"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			resp := vodError(CodeInputValue, "pageNo must be an integer")
			return 0, 0, &resp
		}
		pageNo = n
	}
	if pageNo < 1 {
		resp := vodError(CodeInvalidPageNo, "pageNo must be 1 or more")
		return 0, 0, &resp
	}
	if v := q.Get("pageSizeNo"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			resp := vodError(CodeInputValue, "pageSizeNo must be an integer")
			return 0, 0, &resp
		}
		pageSize = n
	}
	if pageSize < minSize {
		resp := vodError(CodeInputValue, fmt.Sprintf("pageSizeNo must be %d or more", minSize))
		return 0, 0, &resp
	}
	return pageNo, pageSize, nil
}

// pageBounds returns the [lo, hi) slice bounds of a page over n items.
func pageBounds(n, pageNo, pageSize int) (lo, hi int) {
	// Guard against overflow for absurd pageNo values.
	if pageNo-1 > n/pageSize {
		return n, n
	}
	lo = (pageNo - 1) * pageSize
	hi = min(lo+pageSize, n)
	if lo > n {
		lo = n
	}
	return lo, hi
}

// listCategories serves GET /api/v2/category?pageNo&pageSizeNo: categories
// in id order, "total" = number of categories.
// https://api.ncloud-docs.com/docs/en/vodstation-category-list
func (e *Emulator) listCategories(r *http.Request, _ []byte) response {
	pageNo, pageSize, errResp := paging(r, 1)
	if errResp != nil {
		return *errResp
	}
	e.mu.RLock()
	total := len(e.categoryOrder)
	lo, hi := pageBounds(total, pageNo, pageSize)
	content := make([]categoryJSON, 0, hi-lo)
	for _, id := range e.categoryOrder[lo:hi] {
		content = append(content, toCategoryJSON(e.categories[id]))
	}
	e.mu.RUnlock()
	return jsonResponse(struct {
		Content []categoryJSON `json:"content"`
		Total   int            `json:"total"`
	}{content, total})
}

// getCategory serves GET /api/v2/category/{id}.
// https://api.ncloud-docs.com/docs/en/vodstation-category-info
func (e *Emulator) getCategory(idText string) response {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return vodError(CodeResourceNotFound, "category not found")
	}
	e.mu.RLock()
	c, ok := e.categories[id]
	var info categoryInfoJSON
	if ok {
		info.categoryJSON = toCategoryJSON(c)
		info.EncodingOptions = make([]int64, len(c.EncodingOptions))
		for i, o := range c.EncodingOptions {
			info.EncodingOptions[i] = o.ID
		}
	}
	e.mu.RUnlock()
	if !ok {
		return vodError(CodeResourceNotFound, "category not found")
	}
	return jsonResponse(struct {
		Content categoryInfoJSON `json:"content"`
	}{info})
}

// encodingOptionJSON is GET /api/v2/encoding-option/{id}'s content
// (ncp-api.md §2.8): the option's name is the outputType of its callbacks
// and the suffix of its output files.
type encodingOptionJSON struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	EncodingOptionType string `json:"encodingOptionType"`
	Format             string `json:"format"`
	DefaultSet         bool   `json:"defaultSet"`
}

// getEncodingOption serves GET /api/v2/encoding-option/{id}: an option of
// any category with that id.
func (e *Emulator) getEncodingOption(idText string) response {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return vodError(CodeResourceNotFound, "encoding option not found")
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, cid := range e.categoryOrder {
		for _, o := range e.categories[cid].EncodingOptions {
			if o.ID == id {
				return jsonResponse(struct {
					Content encodingOptionJSON `json:"content"`
				}{encodingOptionJSON{ID: o.ID, Name: o.OutputType, EncodingOptionType: "NORMAL", Format: "MP4", DefaultSet: true}})
			}
		}
	}
	return vodError(CodeResourceNotFound, "encoding option not found")
}
