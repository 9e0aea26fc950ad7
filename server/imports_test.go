package server

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDemoData checks that the server is built without the demo generator: demo seeding
// lives in package kefu/demostore.
func TestNoDemoData(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "migrated_fynedo", "-deps", "kefu/server").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v: %s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "kefu/shop/demoshop" || pkg == "kefu/demostore" {
			t.Errorf("package server imports %s", pkg)
		}
	}
}
