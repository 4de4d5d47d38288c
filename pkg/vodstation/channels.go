package vodstation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrChannelNotFound reports that VOD Station knows no channel with the id
// asked for (HTTP 404 or VOD Station code 260004). The error that matches it
// also carries the *APIError.
var ErrChannelNotFound = errors.New("channel not found")

// Channel is GET /api/v2/channels/{channelId}'s content: a VOD Station
// streaming channel, which plays renditions from its storage bucket through
// a CDN (Global Edge).
type Channel struct {
	// ID is the channel id (the id asked for when the answer has none).
	ID ID
	// Name is the channel name.
	Name string
	// Status is the channel state (channelStatus, or status), e.g. READY,
	// STOPPED.
	Status string
	// StorageBucketName is the Object Storage bucket the channel streams from.
	StorageBucketName string
	// EncryptedBucketName is the bucket's name as used in playback URLs.
	EncryptedBucketName string
	// ProtocolList holds the channel's protocols upper-cased, e.g.
	// ["HLS","DASH"]. A comma-separated string is accepted too.
	ProtocolList []string
	// CDNDomain is the playback domain, e.g. "example.edge.naverncp.com",
	// taken from the first of content.cdn.cdnDomain, content.cdn.domain,
	// content.cdnDomain, or the host of content.cdn.playbackUrl or
	// content.playbackUrl; "" when there is none. A scheme or path around
	// the domain is dropped. When "cdn" is a list, its first element with
	// a domain counts.
	CDNDomain string
}

// channelWire is the tolerant wire form of the channel-info content.
type channelWire struct {
	ID                  ID              `json:"id"`
	Name                string          `json:"name"`
	ChannelStatus       string          `json:"channelStatus"`
	Status              string          `json:"status"`
	StorageBucketName   string          `json:"storageBucketName"`
	EncryptedBucketName string          `json:"encryptedBucketName"`
	ProtocolList        json.RawMessage `json:"protocolList"`
	CDN                 json.RawMessage `json:"cdn"`
	CDNDomain           string          `json:"cdnDomain"`
	PlaybackURL         string          `json:"playbackUrl"`
}

// cdnWire is the part of a channel's cdn object that names its domain.
type cdnWire struct {
	CDNDomain   string `json:"cdnDomain"`
	Domain      string `json:"domain"`
	PlaybackURL string `json:"playbackUrl"`
}

// GetChannel returns a channel's storage bucket, encrypted bucket name,
// protocols and CDN domain: what playback URLs are made of. The call is a
// signed GET retried as a read (transport errors, 429, 5xx).
//
// An empty channelID is an error naming CHANNEL_ID and nothing is sent. An
// unknown channel (HTTP 404 or code 260004) is an error matching
// ErrChannelNotFound that still carries the *APIError. A 2xx answer that is
// not JSON or has no object under "content" is an error.
// https://api.ncloud-docs.com/docs/en/vodstation-channel-info
func (c *Client) GetChannel(ctx context.Context, channelID string) (Channel, error) {
	const op = "channel info"
	if channelID == "" {
		return Channel{}, fmt.Errorf("vodstation: %s: CHANNEL_ID is empty", op)
	}
	var w channelWire
	err := c.getObject(ctx, op, "/api/v2/channels/"+url.PathEscape(channelID), ErrChannelNotFound, fmt.Sprintf("channel %q", channelID),
		func(content json.RawMessage) error { return json.Unmarshal(content, &w) })
	if err != nil {
		return Channel{}, err
	}
	ch := Channel{
		ID:                  w.ID,
		Name:                w.Name,
		Status:              w.ChannelStatus,
		StorageBucketName:   w.StorageBucketName,
		EncryptedBucketName: w.EncryptedBucketName,
		ProtocolList:        protocols(w.ProtocolList),
		CDNDomain:           cdnDomain(w),
	}
	if ch.ID == "" {
		ch.ID = ID(channelID)
	}
	if ch.Status == "" {
		ch.Status = w.Status
	}
	return ch, nil
}

// protocols reads protocolList as a list of strings or a comma-separated
// string, upper-cased; anything else gives nil.
func protocols(raw json.RawMessage) []string {
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		list = strings.Split(s, ",")
	}
	var out []string
	for _, p := range list {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cdnDomain picks the channel's playback domain (see Channel.CDNDomain).
func cdnDomain(w channelWire) string {
	var cdns []cdnWire
	raw := bytes.TrimSpace(w.CDN)
	if len(raw) > 0 && raw[0] == '[' {
		_ = json.Unmarshal(raw, &cdns) // a list we cannot read names no domain
	} else {
		var one cdnWire
		if json.Unmarshal(raw, &one) == nil {
			cdns = []cdnWire{one}
		}
	}
	var candidates []string
	for _, c := range cdns {
		candidates = append(candidates, c.CDNDomain, c.Domain)
	}
	candidates = append(candidates, w.CDNDomain)
	for _, c := range cdns {
		candidates = append(candidates, c.PlaybackURL)
	}
	candidates = append(candidates, w.PlaybackURL)
	for _, c := range candidates {
		if d := hostOf(c); d != "" {
			return d
		}
	}
	return ""
}

// hostOf returns the host of a domain or URL, with or without a scheme:
// "https://x.edge.naverncp.com/hls/..." and "x.edge.naverncp.com/" both
// give "x.edge.naverncp.com". It returns "" when there is no host.
func hostOf(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + strings.TrimPrefix(s, "//")
	}
	u, err := url.Parse(s)
	if err != nil || strings.ContainsAny(u.Host, "{} ") {
		return ""
	}
	return u.Host
}
