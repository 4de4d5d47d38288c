// Package uploadurl owns the upload-url web action: a site's server (or,
// holding the token, its browser) asks for an upload of one declared file
// ({"filename", "content_type", "size"}) and gets presigned Object Storage
// requests for a key vodflow generates ({INPUT_PREFIX}{upload_id}/{name}.ext,
// see pkg/uploadid): one PUT whose signature covers the content type and
// the size, or, above UPLOAD_PART_SIZE, a multipart upload the action
// creates, with a presigned PUT per part (each part's size signed) and the
// presigned completion and abort calls.
//
// It is a raw web action: every outcome is an HTTP answer. It
// authenticates the caller by Authorization: Bearer <UPLOAD_TOKEN>
// (compared in constant time), answers CORS preflight for ALLOWED_ORIGINS
// and refuses, before any call to Object Storage, a request that is not
// raw HTTP (500), a disallowed origin (403), a method other than POST
// (405), a wrong token (401), a bad body (400, naming the field), a type
// that is not video/* (415), a size over UPLOAD_MAX_SIZE (413) and an
// extension lookup-category would skip (400: EXTENSIONS, the same
// parameter and default list).
package uploadurl
