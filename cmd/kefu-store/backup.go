package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kefu/server/badgerstore"
)

// Backups of a Badger data directory. A serving kefu-store holds its directory, so it also
// listens on a unix socket in it (adminSocket, mode 0600, reachable by its own user only)
// where `kefu-store backup` asks it for a snapshot; with no server running, backup opens the
// directory itself. On PostgreSQL, pg_dump backs up the database (see README).

// adminSocket is the name of the serving process's socket in the data directory.
const adminSocket = "kefu-store.sock"

// pathBackup is the socket's one endpoint: GET streams a full backup.
const pathBackup = "/backup"

// listenAdmin serves backups of st on the data directory's socket until the returned
// function is called. A path too long for a unix socket, or a platform without them, leaves
// the server without one (backup then needs the server stopped), with a warning.
func listenAdmin(data string, st *badgerstore.Store, log *slog.Logger) (stop func()) {
	path := filepath.Join(data, adminSocket)
	os.Remove(path) // left by a server that was killed
	ln, err := net.Listen("unix", path)
	if err != nil {
		log.Warn("no backup socket: `kefu-store backup` needs the server stopped", "path", path, "err", err)
		return func() {}
	}
	os.Chmod(path, 0o600)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathBackup, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if err := st.Backup(r.Context(), w); err != nil {
			log.Warn("backup", "err", err)
			// The status is sent already; a cut stream fails the client's length check.
			panic(http.ErrAbortHandler)
		}
		log.Info("backup sent")
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go hs.Serve(ln)
	var once sync.Once
	return func() {
		once.Do(func() {
			// A backup in progress finishes (within a minute) before the store closes.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if hs.Shutdown(ctx) != nil {
				hs.Close()
			}
			os.Remove(path)
		})
	}
}

// backup writes a full backup of a Badger data directory to a file.
func backup(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data directory")
	out := fs.String("out", "", "file to write the backup to")
	pgDSN := fs.String("postgres", "", "(refused: back PostgreSQL up with pg_dump)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pgDSN != "" {
		return errors.New("back a PostgreSQL database up with pg_dump (pg_dump --format=custom --file=kefu.dump DSN), not kefu-store backup")
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: kefu-store backup [--data DIR] --out FILE")
	}
	if _, err := os.Stat(*data); err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), filepath.Base(*out)+".part-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	how, err := writeBackup(*data, tmp, stderr)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%s)\n", *data, *out, how)
	return nil
}

// writeBackup asks the server serving data for a backup, or makes it from the directory when
// none serves it.
func writeBackup(data string, w *os.File, stderr io.Writer) (how string, err error) {
	sock := filepath.Join(data, adminSocket)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Get("http://kefu-store" + pathBackup)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
			return "", fmt.Errorf("the server answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
		}
		if _, err := io.Copy(w, resp.Body); err != nil {
			return "", fmt.Errorf("receiving the backup: %w", err)
		}
		return "from the running server", w.Sync()
	}
	// No server on the socket: the directory is free, unless a server runs without one.
	st, oerr := badgerstore.Open(data, newLogger(stderr))
	if oerr != nil {
		return "", fmt.Errorf("no server answered on %s (%v), and opening the directory failed: %w", sock, err, oerr)
	}
	err = st.Backup(context.Background(), w)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return "from the directory; no server was running", w.Sync()
}

// restore loads a backup into a new, empty data directory.
func restore(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "the new data directory (empty or missing)")
	from := fs.String("from", "", "backup file written by kefu-store backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" || *from == "" || fs.NArg() > 0 {
		return errors.New("usage: kefu-store restore --data DIR --from FILE")
	}
	f, err := os.Open(*from)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	st, err := badgerstore.Open(*data, newLogger(stderr))
	if err != nil {
		return err
	}
	err = st.Restore(context.Background(), f)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restoring into %s: %w", *data, err)
	}
	fmt.Fprintf(stdout, "%s restored into %s\n", *from, *data)
	return nil
}
