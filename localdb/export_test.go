package localdb

// CheckConsistent is checkConsistent for the external test package (crash_test.go).
var CheckConsistent = checkConsistent
