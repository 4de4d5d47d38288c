package localrun

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vodflow/vodflow/pkg/sequence"
	"github.com/vodflow/vodflow/pkg/webaction"
)

// WebHandler serves a raw-HTTP web action over HTTP, as NCP's API Gateway
// HTTP trigger or OpenWhisk's web action URL does: each request under
// prefix becomes one activation with the package's and the action's
// defaults under __ow_method, __ow_headers, __ow_path (after prefix),
// __ow_query and __ow_body, and the action's statusCode, headers and body
// become the answer.
func (p *Platform) WebHandler(name, prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := webaction.FromHTTP(r, prefix)
		if errors.Is(err, webaction.ErrBodyTooLarge) {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		params := sequence.Merge(p.cfg.Params.Package.Parameters, p.cfg.Params.ActionParameters(name), req)
		res, err := p.Invoke(r.Context(), name, params)
		if err != nil {
			// The platform's answer when the action itself fails.
			http.Error(w, "web action "+name+": "+err.Error(), http.StatusBadGateway)
			return
		}
		b, err := json.Marshal(res)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		webaction.Write(w, b)
	})
}
