// Package objectstorage owns vodflow's access to NCP Object Storage: the
// S3-compatible API at https://kr.object.ncloudstorage.com (region
// kr-standard; also sg, jp, us, de), path-style, signed with AWS SigV4 using
// the NCP access key and secret key.
//
// It offers what vodflow needs and no more: [Client.Head] an object,
// [Client.List] a bucket (ListObjects V1 with a marker: NCP does not support
// List Objects V2), [Client.Upload] a file (one PUT below [MultipartThreshold],
// a multipart upload of [PartSize] parts above it, reading the source through
// an io.ReaderAt so memory stays bounded whatever the size), and
// [Client.PresignPut] a URL for someone else to upload with.
//
// It is built on github.com/minio/minio-go/v7, chosen over the AWS SDK for Go
// v2 because it links smaller (a test main with head, list, multipart upload
// and presign: 7,782,526 bytes against 8,380,542, stripped, for linux/amd64;
// 5,972,094 for net/http alone) and signs with UNSIGNED-PAYLOAD over HTTPS
// instead of the SDK's default CRC trailers, which S3-compatible services
// such as NCP's do not all accept. Only the actions and commands that use
// storage import this package: lookup-category and add-files do not.
//
// Every error is an [*Error]: it names the operation and the key
// ("objectstorage: head uploads/a.mp4: …"), says what is wrong (a missing
// bucket, keys refused with 403, an endpoint that does not answer, a file
// that shrank while it was read) and matches a sentinel with errors.Is
// ([ErrNotFound], [ErrNoBucket], [ErrAccessDenied], [ErrUnreachable],
// [ErrSourceChanged], [ErrInvalid]). Its text never holds the secret key, nor
// any value of the redact.Set the context carries.
package objectstorage
