package sync

import (
	"net/http"

	"kefu/storeapi/apitest"
)

// validateAnswer checks one exchange with the store server against storeapi/openapi.yaml: the
// request the engine sent and the server's answer.
func validateAnswer(r *http.Request, reqBody []byte, resp *http.Response, body []byte) error {
	if err := apitest.CheckRequest(r, reqBody); err != nil {
		return err
	}
	return apitest.CheckResponse(r, resp, body)
}
