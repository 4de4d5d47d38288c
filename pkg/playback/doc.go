// Package playback owns the Global Edge playback URLs of encoded
// renditions: it turns the link of an encoded file (the "link" of a
// COMPLETE VOD Station callback or status row) into the HLS and DASH URLs
// a player opens, in the documented form
//
//	https://{cdnDomain}/{hls|dash}/{encryptedBucketName}/{path}/{video filename}/{index.m3u8|manifest.mpd}
//
// where {path}/{video filename} is the object key of the encoded file in the
// channel's storage bucket. It also owns the adaptive (ABR) URL over a
// file's renditions (Adaptive, in the .smil comma-list form NCP partner
// code uses, since NCP documents none; Order ranks renditions by bitrate),
// the poster URL (Poster, VOD Station's inferred thumbnail naming), the
// playback settings (Config) and
// their validation, and the extraction of an object key from an Object
// Storage link (ObjectKey). It makes no network calls: the channel's domain
// and encrypted bucket name come from the configuration (or from
// vodstation.Client.GetChannel, which the caller invokes).
//
// Keys are percent-encoded once: a link is parsed (so an already-encoded
// link is decoded first) and the URL is built from the decoded key, so
// Korean names, spaces and the like come out correctly encoded.
//
// NCP docs: https://guide.ncloud-docs.com/docs/en/vodstation-vodstationstream
package playback
