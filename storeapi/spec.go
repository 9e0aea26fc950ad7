package storeapi

import _ "embed"

// Spec is storeapi/openapi.yaml: the OpenAPI 3 description of the store API.
//
//go:embed openapi.yaml
var Spec []byte

// The kind table, the payload anyOf and the MutationKind enum of openapi.yaml come from the
// registry of mutation kinds in package shop.
//
//go:generate go run ./specgen openapi.yaml
