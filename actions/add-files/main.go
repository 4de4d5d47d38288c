// Command add-files is the second action of vodflow's sequence: it submits
// the upload to VOD Station (PUT /api/v2/category/{id}/add-files). It also
// works alone, invoked by hand with category_id and file_name,
// object_name or paths.
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/upload"
)

func main() {
	action.Main("add-files", upload.New().AddFiles())
}
