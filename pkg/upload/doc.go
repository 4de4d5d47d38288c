// Package upload owns the upload sequence bound to the bucket's upload
// trigger: the handlers of the lookup-category and add-files actions, their
// configuration, the [Filter] deciding what must not be encoded, the
// duplicate-upload memory, and [Submission], the one type that is both
// lookup-category's result and add-files' input.
//
// An [Uploader] holds what a warm container keeps between activations: the
// VOD Station clients (and their connections), the categories found by
// name, the uploads submitted within DEDUP_WINDOW, and the notifier. Each
// action's main makes one and serves its handler with package action:
//
//	action.Main("add-files", upload.New().AddFiles())
package upload
