// Package events owns the upload events that start vodflow: decoding the
// parameters NCP's Object Storage trigger hands the sequence into the
// objects that were uploaded, with their keys decoded exactly once.
//
// NCP does not document the trigger's payload (ncp-api.md §3.6). The only
// evidence is NCP's own example, which reads "object_name". Decode therefore
// accepts, in order of preference:
//
//   - a flat payload: the key in object_name, objectName, object_key,
//     objectKey or key; the bucket, when present, in bucket_name,
//     bucketName, bucket (a string, or an object with "name") or container;
//   - the S3 notification shape NCP Object Storage may also send (it is
//     S3-compatible): Records[].s3.bucket.name and Records[].s3.object.key,
//     with size, eTag and eventName.
//
// How keys are encoded is also undocumented, so it is a policy; see
// [KeyDecoding]. The package imports only the standard library and package
// param (itself standard-library only).
package events
