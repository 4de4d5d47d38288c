package sequence

// Merge returns a new map holding the keys of all layers, applied in order:
// a key in a later layer overrides the same key in an earlier one (a shallow
// override, nested objects are not merged). Nil layers are skipped. The
// result is never nil, and no layer is modified; values themselves are not
// copied, so nested maps and slices are shared with the layers.
func Merge(layers ...map[string]any) map[string]any {
	n := 0
	for _, l := range layers {
		n += len(l)
	}
	out := make(map[string]any, n)
	for _, l := range layers {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}
