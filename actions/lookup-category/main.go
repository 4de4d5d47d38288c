// Command lookup-category is the first action of vodflow's sequence: it
// decides which uploaded objects to encode and finds the VOD Station
// category id by name (cached while the container is warm).
// Its result is add-files' input (upload.Submission).
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/upload"
)

func main() {
	action.Main("lookup-category", upload.New().Lookup())
}
