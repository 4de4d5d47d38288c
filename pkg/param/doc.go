// Package param owns the tolerant value types used to decode action
// parameters.
//
// The same parameter reaches an action from several places — default
// parameters typed into the NCP console (always strings), JSON typed by hand
// for a manual invoke, a trigger payload, a params.json file — so a number may
// arrive as 300 or "300", a flag as true or "true", and a list as
// ["a/","b/"] or "a/,b/". These types accept each form. A value of the wrong
// kind fails with a *json.UnmarshalTypeError, which encoding/json completes
// with the field's name, so the error names the parameter.
package param
