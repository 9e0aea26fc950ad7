package storeapi

// CodeMethodNotAllowed is the ErrorResponse code of a 405: the path exists but does not take
// the request's method.
const CodeMethodNotAllowed = "method_not_allowed"

// CodeConflict is the ErrorResponse code of a 409: the request does not fit the current state
// (for example a customer message id that belongs to another conversation).
const CodeConflict = "conflict"
