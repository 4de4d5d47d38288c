// Command encoding-callback is vodflow's web action for VOD Station's
// encoding callbacks: behind an NCP API Gateway HTTP trigger (or as an
// OpenWhisk web action) it authenticates each callback by CALLBACK_TOKEN,
// and turns it into signed webhook events with playback URLs.
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/callback"
)

func main() {
	action.Main("encoding-callback", callback.New().Action())
}
