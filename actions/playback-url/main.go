// Command playback-url is vodflow's web action that signs a file's
// playback URLs for one viewer (Authorization: Bearer PLAYBACK_URL_TOKEN;
// GET ?file_id=…&ttl=…&ip=…): see pkg/playbackurl.
package main

import (
	"github.com/vodflow/vodflow/pkg/action"
	"github.com/vodflow/vodflow/pkg/playbackurl"
)

func main() {
	action.Main("playback-url", playbackurl.New(nil).Action())
}
