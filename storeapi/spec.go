package storeapi

import _ "embed"

// Spec is storeapi/openapi.yaml: the OpenAPI 3 description of the store API.
//
//go:embed openapi.yaml
var Spec []byte
