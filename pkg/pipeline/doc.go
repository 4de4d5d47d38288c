// Package pipeline owns vodflow's upload pipeline steps — the handlers of
// the lookup-category and add-files actions — their parameters, the filter
// deciding what must not be encoded, and [Submission], the one type that is
// both lookup-category's result and add-files' input.
//
// A [Pipeline] holds what a warm container keeps between activations: the
// VOD Station clients (and their connections) and the category ids found by
// name. Each action's main creates one and serves its handler with package
// action.
package pipeline
