package sync

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/zalando/go-keyring"

	"kefu/internal/atomicfile"
)

// KeyringService is the service name under which tokens are kept in the OS keyring.
const KeyringService = "kefu-desk"

// TokenFile is the file in the data directory that holds tokens when there is no OS keyring.
// It is written with mode 0600.
const TokenFile = "credentials.json"

// DefaultKeyringTimeout bounds each call to the OS keyring.
const DefaultKeyringTimeout = 3 * time.Second

// ErrNoToken: no token is saved for these credentials.
var ErrNoToken = errors.New("no saved sign-in")

// errKeyringTimeout: the OS keyring did not answer in time (e.g. a secret service that never
// starts); the file is used instead.
var errKeyringTimeout = errors.New("the OS keyring did not answer in time")

// Credentials names a saved sign-in: one staff member of one shop on one server. The token is
// kept in the OS keyring (service KeyringService, user "<server>|<shop>|<staff>") where there is
// one; otherwise, or when the keyring fails or does not answer within KeyringTimeout, in
// TokenFile in Dir.
type Credentials struct {
	Dir    string // the data directory, for the fallback file
	Server string // the store server's URL
	Shop   string // shop id
	Staff  string // staff number
	// FileOnly keeps the token in the file even where there is a keyring (tests, portable
	// installs).
	FileOnly bool
	// KeyringTimeout bounds each keyring call; 0 means DefaultKeyringTimeout. A keyring call
	// that times out is left to finish on its own.
	KeyringTimeout time.Duration
}

// User is the keyring user name (and the file's key) of these credentials.
func (c Credentials) User() string { return c.Server + "|" + c.Shop + "|" + c.Staff }

// SaveToken saves token, in the keyring if it takes it, else in the file.
func (c Credentials) SaveToken(token string) error {
	if token == "" {
		return errors.New("saving an empty token")
	}
	if !c.FileOnly {
		if err := c.keyring(func() error { return keyring.Set(KeyringService, c.User(), token) }); err == nil {
			// The keyring has it: no copy stays behind in the file.
			if err := c.fileUpdate(func(m map[string]string) { delete(m, c.User()) }); err != nil {
				return fmt.Errorf("removing the old token from the file: %w", err)
			}
			return nil
		}
	}
	if c.Dir == "" {
		return errors.New("no OS keyring and no data directory to keep the token in")
	}
	if err := c.fileUpdate(func(m map[string]string) { m[c.User()] = token }); err != nil {
		return fmt.Errorf("saving the token: %w", err)
	}
	return nil
}

// LoadToken returns the saved token, or an error wrapping ErrNoToken when there is none.
func (c Credentials) LoadToken() (string, error) {
	if !c.FileOnly {
		var token string
		err := c.keyring(func() error {
			t, err := keyring.Get(KeyringService, c.User())
			token = t
			return err
		})
		if err == nil && token != "" {
			return token, nil
		}
	}
	m, err := c.fileRead()
	if err != nil {
		return "", err
	}
	if t := m[c.User()]; t != "" {
		return t, nil
	}
	return "", fmt.Errorf("%w for %s", ErrNoToken, c.User())
}

// DeleteToken forgets the token (signing out), in the keyring and in the file. Forgetting a token
// that is not saved is not an error.
func (c Credentials) DeleteToken() error {
	if !c.FileOnly {
		// An error here means not found, or no keyring: nothing to forget there.
		_ = c.keyring(func() error { return keyring.Delete(KeyringService, c.User()) })
	}
	if c.Dir == "" {
		return nil
	}
	if err := c.fileUpdate(func(m map[string]string) { delete(m, c.User()) }); err != nil {
		return fmt.Errorf("forgetting the token: %w", err)
	}
	return nil
}

// keyring runs f, a keyring call, giving up after the timeout.
func (c Credentials) keyring(f func() error) error {
	d := c.KeyringTimeout
	if d <= 0 {
		d = DefaultKeyringTimeout
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return errKeyringTimeout
	}
}

func (c Credentials) path() string { return filepath.Join(c.Dir, TokenFile) }

// fileRead reads the token file (an empty map when there is none).
func (c Credentials) fileRead() (map[string]string, error) {
	m := map[string]string{}
	if c.Dir == "" {
		return m, nil
	}
	b, err := os.ReadFile(c.path())
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading saved sign-ins: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("reading saved sign-ins from %s: %w", c.path(), err)
	}
	return m, nil
}

// fileUpdate changes the token file through change, writing it atomically with mode 0600. A
// missing file that would stay empty is not created.
func (c Credentials) fileUpdate(change func(map[string]string)) error {
	if c.Dir == "" {
		return nil
	}
	m, err := c.fileRead()
	if err != nil {
		return err
	}
	before := len(m)
	change(m)
	if len(m) == 0 && before == 0 {
		return nil
	}
	if len(m) == 0 {
		if err := os.Remove(c.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(c.path(), b, 0o600)
}
