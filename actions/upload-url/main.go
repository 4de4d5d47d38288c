// Command upload-url is vodflow's web action for direct uploads: a site's
// server asks, with Authorization: Bearer <UPLOAD_TOKEN>, for an upload of
// one declared file, and gets presigned Object Storage requests (one PUT,
// or a multipart upload's parts and completion) for a key under
// INPUT_PREFIX that carries the upload's id; the bucket's trigger then runs
// the upload sequence as for any upload.
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/uploadurl"
)

func main() {
	action.Main("upload-url", uploadurl.New().Action())
}
