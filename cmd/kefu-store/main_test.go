package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kefu/internal/version"
	"kefu/server"
	"kefu/storeapi"
)

func TestShopInitAndStaffAdd(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := run([]string{"shop", "init", "--data", dir, "--shop", "myshop", "--name", "我的小店"}, nil, &out, &errs); err != nil {
		t.Fatalf("shop init: %v (%s)", err, errs.String())
	}
	if err := run([]string{"shop", "init", "--data", dir, "--shop", "myshop", "--name", "again"}, nil, &out, &errs); err == nil {
		t.Fatal("a second shop init of the same shop succeeded")
	}
	// The password from standard input; one too short is refused.
	if err := run([]string{"staff", "add", "--data", dir, "--shop", "myshop", "--number", "1001", "--name", "王晓", "--role", "owner"},
		strings.NewReader("short\n"), &out, &errs); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Fatalf("short password: %v", err)
	}
	if err := run([]string{"staff", "add", "--data", dir, "--shop", "myshop", "--number", "1001", "--name", "王晓", "--role", "owner"},
		strings.NewReader("s3cret-pass\n"), &out, &errs); err != nil {
		t.Fatalf("staff add: %v", err)
	}
	if err := run([]string{"staff", "add", "--data", dir, "--shop", "nosuch", "--number", "1", "--name", "x", "--password", "12345678"}, nil, &out, &errs); err == nil {
		t.Fatal("staff add to a missing shop succeeded")
	}
	if err := run([]string{"staff", "add", "--data", dir, "--shop", "myshop", "--number", "1002", "--name", "李娜", "--role", "boss", "--password", "12345678"}, nil, &out, &errs); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	if err := run([]string{"bogus"}, nil, &out, &errs); err == nil {
		t.Fatal("an unknown command was accepted")
	}

	// The staff member logs in to a server on the directory.
	srv, err := server.New(server.Params{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	body, _ := json.Marshal(storeapi.LoginRequest{Shop: "myshop", Staff: "1001", Password: "s3cret-pass"})
	resp, err := http.Post(hs.URL+storeapi.PathLogin, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var lr storeapi.LoginResponse
	if resp.StatusCode != 200 || json.Unmarshal(data, &lr) != nil || lr.Shop.Name != "我的小店" || lr.Staff.Role != "owner" {
		t.Fatalf("login: %d %s", resp.StatusCode, data)
	}
}

func TestServeFlags(t *testing.T) {
	var out, errs bytes.Buffer
	for _, args := range [][]string{
		{"--tls-cert", "cert.pem"},
		{"--demo-size", "huge"},
		{"--data", t.TempDir(), "extra"},
	} {
		if err := run(args, nil, &out, &errs); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"--version", "-version", "version"} {
		var out, errOut strings.Builder
		if err := run([]string{arg}, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		if got := out.String(); !strings.HasPrefix(got, "kefu-store "+version.Version+" (commit ") {
			t.Errorf("%s printed %q", arg, got)
		}
	}
}
