// Package reconcile owns the reconcile action: the scheduled (or by-hand)
// pass that finds the uploads of the upload bucket that VOD Station never
// received — a bucket event that never fired, a sequence that failed with
// no webhook to say so, a submit_failed upload — and submits each of them
// once, sending a reconciled event per file.
//
// One run ([Run]) lists the bucket (Object Storage's ListObjects V1 with a
// marker, which NCP supports; it has no ListObjectsV2) in bounded pages,
// keeps the objects modified within RECONCILE_WINDOW and older than
// RECONCILE_MIN_AGE that lookup-category's [upload.Filter] and recursion
// guard ([upload.OutputGuard]) would submit, reads VOD Station's status
// list for the category over the same window, and submits what the list
// does not have, at most RECONCILE_MAX files, stopping early enough before
// the activation's deadline. Its [Result] says what it submitted and what
// it left for the next run (and why: the maximum, the time, the pages).
//
// # Exactly once
//
// An upload is submitted by the live trigger or by reconcile, never both,
// and by one reconcile run only, by three rules (README, "Reconcile"):
//
//   - the live trigger owns an upload for RECONCILE_MIN_AGE after it was
//     written: reconcile does not look at younger objects, so an event on
//     its way (two actions of at most a minute each) is not raced;
//   - the status list is read again immediately before submitting, for the
//     candidates only, so a submission that landed since the first read (a
//     late trigger, another reconcile run) is seen and not repeated;
//   - a warm container remembers what it submitted for RECONCILE_WINDOW, so
//     its next run does not repeat a submission VOD Station has not listed
//     yet.
//
// What is left is a race of a few seconds: two runs (or a very late event
// and a run) that both pass the re-check before either's add-files call is
// on the status list. The schedule never overlaps its own runs (the
// action's timeout is shorter than the interval); the window opens only
// when the action is run by hand at the same moment, or an event arrives
// more than RECONCILE_MIN_AGE late within that second.
package reconcile
