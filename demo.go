package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"kefu/demostore"
	"kefu/server"
)

// The demo shop's sign-in, as kefu-store --demo seeds it.
const (
	demoShop     = demostore.Shop
	demoStaff    = demostore.Owner
	demoPassword = demostore.Password
)

// startDemoServer runs the store server on 127.0.0.1 with the demo shop in dir, as a real shop's
// server would run elsewhere, and returns its URL and how to stop it.
func startDemoServer(dir string) (string, func(), error) {
	srv, err := server.New(server.Params{DataDir: dir})
	if err != nil {
		return "", nil, fmt.Errorf("starting the demo store: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := demostore.Seed(ctx, srv); err != nil {
		srv.Close()
		return "", nil, fmt.Errorf("creating the demo shop: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, fmt.Errorf("starting the demo store: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("kefu: demo store: %v", err)
		}
	}()
	stop := func() {
		srv.Close() // ends the desk's long poll at once, so Shutdown does not wait for it
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}
