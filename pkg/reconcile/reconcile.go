package reconcile

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/upload"
	"github.com/vodflow/vodflow/pkg/uploadid"
	"github.com/vodflow/vodflow/pkg/vodstation"
)

// Object is one object of a bucket listing.
type Object struct {
	Key          string
	ETag         string
	Size         int64
	LastModified time.Time
}

// Lister lists a bucket: the objects under prefix whose keys sort after
// marker, at most max of them, and the marker of the next page ("" at the
// end). Object Storage's ListObjects V1 is one.
type Lister interface {
	List(ctx context.Context, bucket, prefix, marker string, max int) ([]Object, string, error)
}

// Station is what a run asks of VOD Station (a *vodstation.Client is one).
type Station interface {
	ListStatus(ctx context.Context, q vodstation.StatusQuery) (vodstation.StatusPage, error)
	AddFiles(ctx context.Context, categoryID string, req vodstation.AddFilesRequest) ([]vodstation.AddedFile, error)
}

// Memory remembers what this container submitted, so a later run does not
// submit it again before VOD Station lists it. A nil Memory remembers
// nothing.
type Memory interface {
	Seen(id string) bool
	Remember(id string)
}

// Page sizes: ListObjects' largest page, and the status list's.
const (
	ListPageSize   = 1000
	StatusPageSize = 100
)

// statusSlack widens the status list's time filter below the oldest
// candidate, for the clocks of Object Storage and VOD Station.
const statusSlack = time.Minute

// reuploadTolerance is how much later than VOD Station's last word on a
// file an object may have been written and still be the upload VOD Station
// received (the status list's times are in seconds).
const reuploadTolerance = 5 * time.Second

// Reasons a run leaves work for the next one.
const (
	LeftMax         = "max"          // RECONCILE_MAX files were submitted
	LeftTime        = "time"         // the deadline was near
	LeftPages       = "pages"        // RECONCILE_PAGES list pages were read
	LeftStatusPages = "status_pages" // the status list was longer than RECONCILE_STATUS_PAGES
)

// Plan is one run's parameters, resolved.
type Plan struct {
	// Bucket is the upload bucket.
	Bucket string
	// Category is where uploads go (ID required; Name matches status rows
	// that carry no id).
	Category vodstation.Category
	// Filter and Guard are lookup-category's: what must not be encoded.
	Filter upload.Filter
	Guard  upload.OutputGuard
	// Window is how far back uploads are looked at; MinAge how long the
	// live trigger owns a new upload.
	Window, MinAge time.Duration
	// Max is the most files submitted in one run.
	Max int
	// ListPages and StatusPages bound the pages read.
	ListPages, StatusPages int
	// Marker, when set, starts the listing after it (a previous run's
	// next_marker).
	Marker string
	// DryRun lists what would be submitted and submits nothing.
	DryRun bool
	// NotificationURL and NotificationField go with each add-files call.
	NotificationURL, NotificationField string
	// Now is the run's time; StopAt, when set, is when it must stop
	// starting work (the deadline less its headroom).
	Now, StopAt time.Time
}

// Result is what one run did and what it left.
type Result struct {
	BucketName   string `json:"bucket_name"`
	CategoryID   string `json:"category_id"`
	CategoryName string `json:"category_name,omitempty"`
	DryRun       bool   `json:"dry_run,omitempty"`
	// Listed objects were read from the bucket, in Pages pages.
	Listed int `json:"listed"`
	Pages  int `json:"pages"`
	// Candidates are the listed uploads within the window that
	// lookup-category would submit.
	Candidates int `json:"candidates"`
	// Received of them are on VOD Station's status list (or were
	// submitted by this container).
	Received int `json:"received"`
	// TooYoung were written less than RECONCILE_MIN_AGE ago: the live
	// trigger's, looked at by a later run.
	TooYoung int `json:"too_young,omitempty"`
	// Skipped counts the uploads in the window left out, by reason.
	Skipped map[string]int `json:"skipped,omitempty"`
	// Submitted are the files submitted, with their VOD Station ids.
	Submitted []upload.SubmittedFile `json:"submitted,omitempty"`
	// WouldSubmit are the files a dry run would submit.
	WouldSubmit []string `json:"would_submit,omitempty"`
	// Raced are files found on the status list on the re-check right
	// before submitting: submitted meanwhile by someone else.
	Raced []string `json:"raced,omitempty"`
	// Left says what the run left for the next one; nil when nothing.
	Left *Left `json:"left,omitempty"`
	// Warnings are things the user should know.
	Warnings []string `json:"warnings,omitempty"`
	// Notified says which reconciled events were delivered.
	Notified any `json:"notified,omitempty"`
}

// Left is the work a run left for the next one.
type Left struct {
	// Reason is one of the Left* constants.
	Reason string `json:"reason"`
	// Files is how many found uploads were not submitted (0 when the run
	// stopped before it could count them).
	Files int `json:"files,omitempty"`
	// NextMarker is where the listing stopped: give it as marker to go on.
	NextMarker string `json:"next_marker,omitempty"`
	// Message says it in words.
	Message string `json:"message"`
}

// candidate is an upload reconcile may submit.
type candidate struct {
	Object
}

// MemoryID identifies an upload of a key in a container's memory.
func MemoryID(bucket string, cat vodstation.ID, o Object) string {
	return strings.Join([]string{bucket, string(cat), o.Key, strings.Trim(o.ETag, `"`), o.LastModified.UTC().Format(time.RFC3339Nano)}, "\x00")
}

// Run does one reconcile pass. It returns the result so far with an error
// when a call fails: nothing is submitted after a failed read, and a
// failed submission is an *upload.SubmitError naming what was submitted
// before it.
func Run(ctx context.Context, p Plan, lister Lister, st Station, mem Memory) (Result, error) {
	res := Result{BucketName: p.Bucket, CategoryID: string(p.Category.ID), CategoryName: p.Category.Name, DryRun: p.DryRun}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	from, until := p.Now.Add(-p.Window), p.Now.Add(-p.MinAge)
	cands, err := list(ctx, p, lister, from, until, &res)
	if err != nil {
		return res, err
	}
	res.Candidates = len(cands)
	if len(cands) == 0 {
		return res, nil
	}
	if late(p) {
		res.Left = leftTime(len(cands), "")
		return res, nil
	}
	received, complete, err := readStatus(ctx, p, st, oldest(cands))
	if err != nil {
		return res, fmt.Errorf("reading VOD Station's status list: %w", err)
	}
	if !complete {
		res.Left = &Left{Reason: LeftStatusPages, Files: len(cands), Message: fmt.Sprintf(
			"VOD Station's status list over the window is longer than %d pages: nothing was submitted, since what it has could not all be read (raise RECONCILE_STATUS_PAGES or shorten RECONCILE_WINDOW)", p.StatusPages)}
		return res, nil
	}
	var pending []candidate
	for _, c := range cands {
		if received.has(c.Object) || (mem != nil && mem.Seen(MemoryID(p.Bucket, p.Category.ID, c.Object))) {
			res.Received++
			continue
		}
		pending = append(pending, c)
	}
	if len(pending) == 0 {
		return res, nil
	}
	if len(pending) > p.Max {
		res.Left = &Left{Reason: LeftMax, Files: len(pending) - p.Max, Message: fmt.Sprintf(
			"%d uploads VOD Station never received were found; %d are submitted by this run (RECONCILE_MAX), the rest by the next", len(pending), p.Max)}
		pending = pending[:p.Max]
	}
	if p.DryRun {
		for _, c := range pending {
			res.WouldSubmit = append(res.WouldSubmit, c.Key)
		}
		return res, nil
	}
	if late(p) {
		res.Left = leftTime(len(pending), "")
		return res, nil
	}
	// The re-check: what landed on the status list since the first read
	// (a late trigger, another run) is not submitted again.
	again, complete, err := readStatus(ctx, p, st, oldest(pending))
	if err != nil {
		return res, fmt.Errorf("re-reading VOD Station's status list before submitting: %w", err)
	}
	if !complete {
		res.Left = &Left{Reason: LeftStatusPages, Files: len(pending), Message: "VOD Station's status list grew past RECONCILE_STATUS_PAGES between two reads: nothing was submitted"}
		return res, nil
	}
	keep := pending[:0]
	for _, c := range pending {
		if again.has(c.Object) {
			res.Raced = append(res.Raced, c.Key)
			res.Received++
			continue
		}
		keep = append(keep, c)
	}
	return submit(ctx, p, st, mem, keep, res)
}

// late reports whether the run must stop starting work.
func late(p Plan) bool { return !p.StopAt.IsZero() && !time.Now().Before(p.StopAt) }

func leftTime(files int, marker string) *Left {
	return &Left{Reason: LeftTime, Files: files, NextMarker: marker,
		Message: "the activation's deadline was near: the next run goes on (with next_marker, when given, by hand)"}
}

// list reads the bucket and returns the uploads within [from, until) that
// lookup-category would submit, counting the rest in res.
func list(ctx context.Context, p Plan, lister Lister, from, until time.Time, res *Result) ([]candidate, error) {
	var cands []candidate
	marker := p.Marker
	for {
		if res.Pages >= p.ListPages {
			res.Left = &Left{Reason: LeftPages, NextMarker: marker, Message: fmt.Sprintf(
				"the bucket has more than %d pages of %d keys: keys after next_marker were not looked at (raise RECONCILE_PAGES, narrow INPUT_PREFIX, or run again with this marker)", p.ListPages, ListPageSize)}
			return cands, nil
		}
		if late(p) {
			res.Left = leftTime(0, marker)
			return cands, nil
		}
		objs, next, err := lister.List(ctx, p.Bucket, p.Filter.InputPrefix, marker, ListPageSize)
		if err != nil {
			return nil, fmt.Errorf("listing bucket %s: %w", p.Bucket, err)
		}
		res.Pages++
		res.Listed += len(objs)
		for _, o := range objs {
			if o.LastModified.Before(from) {
				continue
			}
			if reason := p.Filter.Skip(events.Object{Key: o.Key, Bucket: p.Bucket, Size: o.Size, ETag: o.ETag}); reason != "" {
				res.skip(reason)
				continue
			}
			if p.Guard.Covers(o.Key) {
				res.skip(upload.ReasonCategoryOutput)
				continue
			}
			if !o.LastModified.Before(until) {
				res.TooYoung++
				continue
			}
			cands = append(cands, candidate{o})
		}
		if next == "" || len(objs) == 0 {
			return cands, nil
		}
		marker = next
	}
}

func (r *Result) skip(reason string) {
	if r.Skipped == nil {
		r.Skipped = map[string]int{}
	}
	r.Skipped[reason]++
}

// oldest is the earliest write time among cs.
func oldest(cs []candidate) time.Time {
	t := cs[0].LastModified
	for _, c := range cs[1:] {
		if c.LastModified.Before(t) {
			t = c.LastModified
		}
	}
	return t
}

// receivedSet is what the status list says VOD Station received for the
// category: each path (without a leading "/") with the latest time VOD
// Station worked on it (zero when no row said).
type receivedSet map[string]time.Time

// has reports whether VOD Station received o: its path is on the list and
// o was not written after VOD Station's last work on it (a later write is
// a re-upload the list does not have).
func (s receivedSet) has(o Object) bool {
	last, ok := s[strings.TrimPrefix(o.Key, "/")]
	if !ok {
		return false
	}
	return last.IsZero() || o.LastModified.IsZero() || !o.LastModified.After(last.Add(reuploadTolerance))
}

// readStatus reads the status list of the encodings started since
// from - statusSlack and returns the paths VOD Station received for the
// category from the bucket. The rule: a row counts when its category
// (categoryId, or categoryName without one) is the plan's and its bucket
// is the plan's or not said (the documented row does not say it: a
// category's uploads come from one bucket in practice, and counting a
// file of another bucket as received is the side that never submits
// twice). Every status counts, FAILURE and CANCELED too: VOD Station
// received those, and submitting them again would fail again every run.
// complete is false when the list was longer than p.StatusPages.
func readStatus(ctx context.Context, p Plan, st Station, from time.Time) (receivedSet, bool, error) {
	set := receivedSet{}
	q := vodstation.StatusQuery{PageSize: StatusPageSize, From: from.Add(-statusSlack)}
	for q.PageNo = 1; ; q.PageNo++ {
		if q.PageNo > p.StatusPages {
			return set, false, nil
		}
		page, err := st.ListStatus(ctx, q)
		if err != nil {
			return nil, false, err
		}
		for _, row := range page.Rows {
			if !sameCategory(row, p.Category) || (row.BucketName != "" && row.BucketName != p.Bucket) {
				continue
			}
			path := strings.TrimPrefix(row.FilePath, "/")
			t, _ := time.Parse(time.RFC3339, strings.TrimSpace(row.LastWorkTime))
			if prev, ok := set[path]; !ok || t.After(prev) {
				set[path] = t
			}
		}
		if len(page.Rows) == 0 || q.PageNo*q.PageSize >= page.Total {
			return set, true, nil
		}
	}
}

func sameCategory(row vodstation.StatusRow, cat vodstation.Category) bool {
	if row.CategoryID != "" {
		return row.CategoryID == cat.ID
	}
	return row.CategoryName != "" && row.CategoryName == cat.Name
}

// submit sends the files in batches of at most 100 paths.
func submit(ctx context.Context, p Plan, st Station, mem Memory, cs []candidate, res Result) (Result, error) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Key < cs[j].Key })
	byKey := make(map[string]candidate, len(cs))
	for _, c := range cs {
		byKey[c.Key] = c
	}
	for start := 0; start < len(cs); start += vodstation.MaxPathsPerRequest {
		batch := cs[start:min(start+vodstation.MaxPathsPerRequest, len(cs))]
		if late(p) {
			res.Left = leftTime(len(cs)-start, "")
			return res, nil
		}
		paths := make([]string, len(batch))
		for i, c := range batch {
			paths[i] = c.Key
		}
		added, err := st.AddFiles(ctx, string(p.Category.ID), vodstation.AddFilesRequest{
			BucketName: p.Bucket, Paths: paths,
			NotificationURL: p.NotificationURL, NotificationField: p.NotificationField,
		})
		if err != nil {
			rest := make([]string, 0, len(cs)-start)
			for _, c := range cs[start:] {
				rest = append(rest, c.Key)
			}
			se := &upload.SubmitError{Bucket: p.Bucket, Submitted: res.Submitted, NotSubmitted: rest, Err: err}
			if se.Submitted == nil {
				se.Submitted = []upload.SubmittedFile{}
			}
			if isUncertain(err) {
				se.Uncertain = paths
			}
			return res, se
		}
		for i, f := range added {
			path := f.FilePath
			if path == "" && i < len(paths) {
				path = paths[i]
			}
			res.Submitted = append(res.Submitted, upload.SubmittedFile{Path: path, FileID: string(f.ID), UploadID: uploadid.Of(path)})
		}
		if mem != nil {
			for _, c := range batch {
				mem.Remember(MemoryID(p.Bucket, p.Category.ID, byKey[c.Key].Object))
			}
		}
	}
	return res, nil
}

// isUncertain reports whether VOD Station may have accepted a failed call.
func isUncertain(err error) bool { return errors.Is(err, vodstation.ErrOutcomeUnknown) }
