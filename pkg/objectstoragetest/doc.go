// Package objectstoragetest is a test double of NCP Object Storage: an
// S3-compatible endpoint on loopback with buckets, PUT, multipart upload,
// HEAD, ListObjects (V1 with marker, and V2, which gofakes3 serves but NCP
// does not) and presigned URLs, that checks every request's AWS SigV4
// signature (header or presigned query, with the presigned expiry and a
// clock-skew window) against the keys it was given, and fires bucket event
// rules on object creation. A streaming upload (aws-chunked body, as
// minio-go sends over http and the AWS SDKs with trailing checksums) is
// stored without its chunk framing, as S3 does; its seed signature is
// checked, its chunk signatures are not.
//
// The S3 semantics are github.com/johannesboyne/gofakes3 (in-memory
// backend), which checks no signature: [Server] wraps it with its own SigV4
// verifier. It is kept apart from pkg/vodstationtest, which verifies NCP's
// API Gateway signature v2 for VOD Station; the two listen on different
// addresses.
//
// Bucket events: after a successful PUT (or copy) of an object and a
// completed multipart upload, every rule of the bucket ([Server.OnCreate])
// gets an event in the flat form pkg/events decodes:
//
//	{"object_name": key, "bucket_name": bucket, "event_type": "PUT" | "CompleteMultipartUpload",
//	 "etag": "…", "size": 123, "event_time": "RFC 3339"}
//
// NCP does not document its Object Storage trigger's payload (NCP's own
// example reads object_name only); this shape is a guess that vodflow's
// decoder tolerates, not NCP's contract. Options.DropEvents drops a
// fraction of the events, chosen by a seeded generator, to test what
// reconciles lost ones; [Server.Events] records each event and whether it
// was dropped.
package objectstoragetest
