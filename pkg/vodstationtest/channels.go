package vodstationtest

import (
	"fmt"
	"slices"
)

// Channel is a VOD Station streaming channel.
type Channel struct {
	// ID is the channel id, e.g. "vs-20240101000000-abcde"; "" asks
	// AddChannel to assign one.
	ID string
	// Name is the channel name.
	Name string
	// StorageBucketName is the bucket the channel streams from.
	StorageBucketName string
	// EncryptedBucketName is the bucket's encrypted name used in playback
	// URLs.
	EncryptedBucketName string
	// CDNDomain is the Global Edge domain, e.g. "example.edge.naverncp.com".
	CDNDomain string
	// ProtocolList holds "HLS" and/or "DASH"; default ["HLS"].
	ProtocolList []string
}

// AddChannel stores c (replacing a channel with the same id) and returns
// the stored copy, with an id assigned when c.ID is empty.
func (e *Emulator) AddChannel(c Channel) Channel {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c.ID == "" {
		c.ID = fmt.Sprintf("vs-emulator-%05d", e.nextChannel)
		e.nextChannel++
	}
	if len(c.ProtocolList) == 0 {
		c.ProtocolList = []string{"HLS"}
	} else {
		c.ProtocolList = slices.Clone(c.ProtocolList)
	}
	e.channels[c.ID] = c
	c.ProtocolList = slices.Clone(c.ProtocolList) // the caller's copy
	return c
}

// channelJSON is GET /api/v2/channels/{id}'s content. The VOD Station
// channel-info page lists id, name, channelStatus, storageBucketName,
// encryptedBucketName, protocolList, ...; the "cdn" object
// ({cdnType, cdnDomain}) follows the field names NCP documents for channel
// CDN objects (Live Station channel info, VOD Station cdn-to-edge), since
// the VOD Station page read did not show that part.
type channelJSON struct {
	ID                  string         `json:"id"`
	Name                string         `json:"name"`
	ChannelStatus       string         `json:"channelStatus"`
	StorageBucketName   string         `json:"storageBucketName"`
	EncryptedBucketName string         `json:"encryptedBucketName"`
	ProtocolList        []string       `json:"protocolList"`
	CDN                 channelCDNJSON `json:"cdn"`
}

type channelCDNJSON struct {
	CDNType   string `json:"cdnType"`
	CDNDomain string `json:"cdnDomain"`
}

// getChannel serves GET /api/v2/channels/{channelId}; an unknown id is
// 260004 (the doc also has 260017 "invalid channel", whose use is not
// described).
// https://api.ncloud-docs.com/docs/en/vodstation-channel-info
func (e *Emulator) getChannel(id string) response {
	e.mu.RLock()
	c, ok := e.channels[id]
	e.mu.RUnlock()
	if !ok {
		return vodError(CodeResourceNotFound, "channel not found")
	}
	return jsonResponse(struct {
		Content channelJSON `json:"content"`
	}{channelJSON{
		ID:                  c.ID,
		Name:                c.Name,
		ChannelStatus:       "READY",
		StorageBucketName:   c.StorageBucketName,
		EncryptedBucketName: c.EncryptedBucketName,
		ProtocolList:        c.ProtocolList,
		CDN:                 channelCDNJSON{CDNType: "GLOBAL_EDGE", CDNDomain: c.CDNDomain},
	}})
}
