// Command kefu-store is Kefu's store server: the shops' data, the store API the desks sync
// with, and the customer chat pages. It is pure Go (builds with CGO_ENABLED=0) and keeps its
// data in a Badger directory (the default) or in PostgreSQL (--postgres), where several
// kefu-store processes can serve the same shops.
//
// Usage:
//
//	kefu-store --version
//	    Print the release and the commit it was built from.
//
//	kefu-store [--data DIR | --postgres DSN] [--addr HOST:PORT] [--demo] [--tls-cert FILE --tls-key FILE] [--public-url URL] [--allow-private-webhooks]
//	    Serve. The default address is 127.0.0.1:8420; the default data directory is
//	    kefu-store under the user's data directory (~/.local/share on Linux, Application
//	    Support on macOS, %LocalAppData% on Windows). With --postgres the shops live in that
//	    PostgreSQL database instead (postgres://user:pass@host/db or key=value; the schema is
//	    created or migrated at start), and any number of kefu-store processes may serve it
//	    at once. With --demo the demo shop is created first if it does not exist (shop
//	    "demo", staff 1001 and 1002, password "demo"). SIGINT or SIGTERM shut it down
//	    gracefully.
//
//	kefu-store shop init [--data DIR | --postgres DSN] --shop ID --name NAME
//	    Create a shop. IDs are 1 to 32 lowercase letters, digits, '-' or '_'.
//
//	kefu-store staff add [--data DIR | --postgres DSN] --shop ID --number N --name NAME --role agent|manager|owner [--password P]
//	    Add a staff member (or reset one's name, role and password). Without --password the
//	    password is read from the first line of standard input:
//	    printf '%s\n' 's3cret-pass' | kefu-store staff add --shop myshop --number 1001 --name 王晓 --role owner
//
//	kefu-store import --server URL --shop ID --staff NUMBER [--dry-run] FILE...
//	    Import files the shop's platform exported into a running kefu-store, as an owner or
//	    manager (password from the first line of standard input). Prints per file the
//	    detected format and the counts, and each refused row as FILE:LINE: column: reason.
//	    Exit status 0 when nothing was refused, 1 when some rows were, 2 for a usage or
//	    connection error.
//
//	kefu-store migrate --from-badger DIR --postgres DSN
//	    Move every shop of a Badger directory into PostgreSQL, with its feed's sequence
//	    numbers (desks keep their cursors), staff passwords and tokens, mutation results
//	    and chat tokens. A shop already in PostgreSQL is refused.
//
//	kefu-store backup [--data DIR] --out FILE
//	    Write a full backup of a Badger data directory, while a kefu-store serves it (asked
//	    through the socket kefu-store.sock in the directory) or not. PostgreSQL: pg_dump.
//
//	kefu-store restore --data DIR --from FILE
//	    Load a backup into a new, empty data directory.
//
// On Badger the management commands need the data directory to themselves: stop the server
// first. On PostgreSQL they run while servers serve the database.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"kefu/demostore"
	"kefu/internal/version"
	"kefu/server"
	"kefu/server/badgerstore"
	"kefu/shop"
	"kefu/shop/demoshop"
	"kefu/storeapi"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		code, quiet := exitCode(err)
		if !quiet && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kefu-store:", err)
		}
		os.Exit(code)
	}
}

// run dispatches to the subcommands.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version" || args[0] == "version") {
		fmt.Fprintln(stdout, version.String("kefu-store"))
		return nil
	}
	if len(args) >= 2 && args[0] == "shop" && args[1] == "init" {
		return shopInit(args[2:], stdout, stderr)
	}
	if len(args) >= 2 && args[0] == "staff" && args[1] == "add" {
		return staffAdd(args[2:], stdin, stdout, stderr)
	}
	if len(args) >= 1 {
		switch args[0] {
		case "import":
			return importFiles(args[1:], stdin, stdout, stderr)
		case "migrate":
			return migrate(args[1:], stdout, stderr)
		case "backup":
			return backup(args[1:], stdout, stderr)
		case "restore":
			return restore(args[1:], stdout, stderr)
		}
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("unknown command %q; the commands are: (none: serve), shop init, staff add, import, migrate, backup, restore", strings.Join(args, " "))
	}
	return serve(args, stdout, stderr)
}

// defaultDataDir is kefu-store under the user's data directory.
func defaultDataDir() string {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LocalAppData")
	case "darwin", "ios":
		base, _ = os.UserConfigDir() // ~/Library/Application Support
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" {
			if home, err := os.UserHomeDir(); err == nil {
				base = filepath.Join(home, ".local", "share")
			}
		}
	}
	if base == "" {
		base = "."
	}
	return filepath.Join(base, "kefu-store")
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data directory")
	pgDSN := fs.String("postgres", "", "keep the shops in this PostgreSQL database (DSN) instead of the data directory")
	addr := fs.String("addr", "127.0.0.1:8420", "address to listen on (HOST:PORT)")
	demo := fs.Bool("demo", false, "create the demo shop if it does not exist (shop demo, staff 1001/1002, password demo)")
	demoSize := fs.String("demo-size", "small", "size of the demo shop: small, or large (about 1.3 million records, for benchmarks)")
	certFile := fs.String("tls-cert", "", "TLS certificate file (PEM); serve HTTPS with --tls-key")
	keyFile := fs.String("tls-key", "", "TLS private key file (PEM)")
	publicURL := fs.String("public-url", "", "base URL customers reach this server at, for new shops' chat links")
	allowPrivate := fs.Bool("allow-private-webhooks", false, "let API channel webhooks reach loopback, private and link-local addresses (tests, in-house bridges)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if (*certFile == "") != (*keyFile == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	size := demoshop.Small
	switch *demoSize {
	case "small":
	case "large":
		size = demoshop.Large
	default:
		return fmt.Errorf("--demo-size %q: small or large", *demoSize)
	}
	log := newLogger(stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, where, err := openStore(ctx, *data, *pgDSN, log)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Params{Store: st, Logger: log, PublicURL: *publicURL, AllowPrivateWebhooks: *allowPrivate})
	if err != nil {
		return err
	}
	defer srv.Close()
	stopAdmin := func() {}
	if b, ok := st.(*badgerstore.Store); ok {
		stopAdmin = listenAdmin(*data, b, log)
	}
	defer stopAdmin()
	if *demo {
		start := time.Now()
		if err := demostore.SeedSize(ctx, srv, size); err != nil {
			return fmt.Errorf("seeding the demo shop: %w", err)
		}
		log.Info("demo shop ready", "took", time.Since(start).Round(time.Millisecond))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      time.Duration(storeapi.MaxWaitSeconds)*time.Second + time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "kefu-store serving %s (data in %s)\n", base, where)
	if *demo {
		printDemo(ctx, stdout, srv, base)
	}
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- hs.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(shut) }() // stop accepting; wait for the requests in flight
	stopAdmin()                               // finish a backup in progress
	closeErr := srv.Close()                   // end long polls, wait for handlers, close the store
	if err := <-done; err != nil {
		log.Warn("shutdown", "err", err)
	}
	return closeErr
}

// printDemo says how to use the demo shop.
func printDemo(ctx context.Context, w io.Writer, srv *server.Server, base string) {
	fmt.Fprintf(w, "\nDemo shop: shop %q, staff %s (owner) or %s (agent), password %q.\n", demostore.Shop, demostore.Owner, demostore.Agent, demostore.Password)
	fmt.Fprintf(w, "  Desk:      kefu --server %s\n", base)
	fmt.Fprintf(w, "  Log in:    curl -s %s%s -H 'Content-Type: application/json' -d '{\"shop\":\"demo\",\"staff\":\"1001\",\"password\":\"demo\"}'\n", base, storeapi.PathLogin)
	fmt.Fprintf(w, "  Chat page: %s/c/%s/\n", base, demostore.Shop)
	nums, err := demostore.OrderNumbers(ctx, srv)
	if err != nil || len(nums) == 0 {
		return
	}
	var lines []string
	for ex, id := range nums {
		if ex != id {
			lines = append(lines, fmt.Sprintf("    %s → %s", ex, id))
		}
	}
	if len(lines) > 0 {
		sort.Strings(lines)
		fmt.Fprintln(w, "  The order numbers in storeapi/openapi.yaml's examples are, in this shop:")
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	}
}

// openForAdmin opens the data directory, or the PostgreSQL database when dsn is set, for a
// management command.
func openForAdmin(data, dsn string, stderr io.Writer) (*server.Server, error) {
	log := newLogger(stderr)
	st, _, err := openStore(context.Background(), data, dsn, log)
	if err != nil {
		return nil, err
	}
	return server.New(server.Params{Store: st, Logger: log})
}

func shopInit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store shop init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data directory")
	pgDSN := fs.String("postgres", "", "PostgreSQL DSN (instead of the data directory)")
	id := fs.String("shop", "", "shop id (lowercase letters, digits, '-' or '_')")
	name := fs.String("name", "", "the shop's display name")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" || *name == "" {
		return errors.New("shop init needs --shop and --name")
	}
	srv, err := openForAdmin(*data, *pgDSN, stderr)
	if err != nil {
		return err
	}
	err = srv.InitShop(context.Background(), *id, *name)
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	where := "--data " + *data
	if *pgDSN != "" {
		where = "--postgres " + redactDSN(*pgDSN)
	}
	fmt.Fprintf(stdout, "shop %s (%s) created; add staff with: kefu-store staff add %s --shop %s --number N --name NAME --role owner\n", *id, *name, where, *id)
	return nil
}

func staffAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kefu-store staff add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", defaultDataDir(), "data directory")
	pgDSN := fs.String("postgres", "", "PostgreSQL DSN (instead of the data directory)")
	shopID := fs.String("shop", "", "shop id")
	number := fs.String("number", "", "staff number (工号)")
	name := fs.String("name", "", "the staff member's name")
	role := fs.String("role", "agent", "agent, manager or owner")
	password := fs.String("password", "", "password (default: read the first line of standard input)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *shopID == "" || *number == "" || *name == "" {
		return errors.New("staff add needs --shop, --number and --name")
	}
	pw := *password
	if pw == "" {
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprint(stderr, "Password (shown as typed): ")
			}
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading the password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	srv, err := openForAdmin(*data, *pgDSN, stderr)
	if err != nil {
		return err
	}
	err = srv.AddStaff(context.Background(), *shopID, shop.Staff{Number: *number, Name: *name, Role: shop.Role(*role)}, pw)
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "staff %s (%s, %s) can log in to shop %s\n", *number, *name, *role, *shopID)
	return nil
}
