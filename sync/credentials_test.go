package sync

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	a := Credentials{Dir: dir, Server: "https://store.example.com", Shop: "demo", Staff: "1001", FileOnly: true}
	b := a
	b.Staff = "1002"

	if _, err := a.LoadToken(); !errors.Is(err, ErrNoToken) {
		t.Fatalf("fresh: %v, want ErrNoToken", err)
	}
	if err := a.DeleteToken(); err != nil {
		t.Fatalf("deleting nothing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("deleting nothing created the file: %v", err)
	}
	if err := a.SaveToken("token-a"); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveToken("token-b"); err != nil {
		t.Fatal(err)
	}
	if err := a.SaveToken("token-a2"); err != nil {
		t.Fatal(err)
	}
	if got, err := a.LoadToken(); err != nil || got != "token-a2" {
		t.Errorf("a: %q, %v", got, err)
	}
	if got, err := b.LoadToken(); err != nil || got != "token-b" {
		t.Errorf("b: %q, %v", got, err)
	}
	fi, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	if err := a.DeleteToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.LoadToken(); !errors.Is(err, ErrNoToken) {
		t.Errorf("after delete: %v, want ErrNoToken", err)
	}
	if got, err := b.LoadToken(); err != nil || got != "token-b" {
		t.Errorf("b after deleting a: %q, %v", got, err)
	}
	if err := b.DeleteToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the emptied file stays: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left a temporary file %s", e.Name())
		}
	}
	if err := a.SaveToken(""); err == nil {
		t.Error("saving an empty token worked")
	}
}

// The keyring is tried first; where it fails (no secret service, as on this headless machine)
// the token goes to the file, and where it works nothing is written to the file. The keyring
// provider is process-wide, so this test is not parallel and restores nothing it cannot: it runs
// the machine's real keyring first, then the library's mock.
func TestCredentialsKeyringAndFallback(t *testing.T) {
	dir := t.TempDir()
	c := Credentials{Dir: dir, Server: "http://127.0.0.1:1", Shop: "demo", Staff: "1001", KeyringTimeout: 2 * time.Second}
	if c.User() != "http://127.0.0.1:1|demo|1001" {
		t.Errorf("keyring user %q", c.User())
	}

	// The machine's keyring, whatever it is: saving and loading work either way.
	if err := c.SaveToken("real"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.LoadToken(); err != nil || got != "real" {
		t.Errorf("real keyring or fallback: %q, %v", got, err)
	}
	if err := c.DeleteToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoadToken(); !errors.Is(err, ErrNoToken) {
		t.Errorf("after delete: %v", err)
	}

	// A keyring that fails: the file takes the token.
	keyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	if err := c.SaveToken("fallback"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); err != nil {
		t.Errorf("the fallback file was not written: %v", err)
	}
	if got, err := c.LoadToken(); err != nil || got != "fallback" {
		t.Errorf("fallback: %q, %v", got, err)
	}

	// A working keyring: the token goes there and leaves the file.
	keyring.MockInit()
	if err := c.SaveToken("in keyring"); err != nil {
		t.Fatal(err)
	}
	if got, err := keyring.Get(KeyringService, c.User()); err != nil || got != "in keyring" {
		t.Errorf("keyring holds %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file still holds a token: %v", err)
	}
	if got, err := c.LoadToken(); err != nil || got != "in keyring" {
		t.Errorf("load from keyring: %q, %v", got, err)
	}
	if err := c.DeleteToken(); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeyringService, c.User()); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("after delete the keyring has: %v", err)
	}

	// A keyring that never answers: the timeout sends the token to the file.
	hang := make(chan struct{})
	defer close(hang)
	slow := Credentials{Dir: dir, Server: "x", Shop: "demo", Staff: "1001", KeyringTimeout: 10 * time.Millisecond}
	if err := slow.keyring(func() error { <-hang; return nil }); !errors.Is(err, errKeyringTimeout) {
		t.Errorf("hanging keyring: %v, want errKeyringTimeout", err)
	}
}

func TestCredentialsNoDir(t *testing.T) {
	c := Credentials{Server: "x", Shop: "demo", Staff: "1001", FileOnly: true}
	if err := c.SaveToken("t"); err == nil {
		t.Error("saving with neither keyring nor directory worked")
	}
	if _, err := c.LoadToken(); !errors.Is(err, ErrNoToken) {
		t.Errorf("load: %v, want ErrNoToken", err)
	}
}
