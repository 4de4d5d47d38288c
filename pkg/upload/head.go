package upload

import (
	"context"
	"fmt"
	"time"

	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/events"
	"github.com/vodflow/vodflow/pkg/objecthead"
)

// MaxHeads bounds the HEADs one activation sends: an event naming more
// objects without ETags leaves the rest without one (a warning says so).
const MaxHeads = 20

// headTimeout bounds each HEAD.
const headTimeout = 5 * time.Second

// headVersions fills, with one HEAD each, the ETag (and size) of the
// objects the event named without an ETag, so their version tells new
// content from a repeated event. A HEAD that fails leaves the object as
// it was, with a warning: the upload is still submitted.
func (u *Uploader) headVersions(ctx context.Context, cfg LookupConfig, bucket string, objs []events.Object) []string {
	var warnings []string
	c := objecthead.New(string(cfg.Storage.Endpoint), string(cfg.Storage.Region), cfg.API.Credentials(), u.headHTTP)
	c.Now = u.now
	heads := 0
	for i := range objs {
		o := &objs[i]
		if o.ETag != "" {
			continue
		}
		if heads == MaxHeads {
			warnings = append(warnings, fmt.Sprintf("only the first %d objects without an ETag were read by HEAD; duplicates of the others are told by key and event time", MaxHeads))
			break
		}
		heads++
		hctx, cancel := context.WithTimeout(ctx, headTimeout)
		info, err := c.Head(hctx, bucket, o.Key)
		cancel()
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("could not read the ETag of %s (%v): duplicates of it are told by key and event time", o.Key, err))
			continue
		}
		o.ETag = info.ETag
		if o.Size == 0 {
			o.Size = info.Size
		}
	}
	if heads > 0 {
		action.LogAttrs(ctx, action.Int("heads", heads))
	}
	return warnings
}
