package desk

import (
	"context"
	"net"
	"slices"
	"strings"
	"time"
)

// netWatchEvery is how often the desk looks at the computer's network addresses.
const netWatchEvery = 2 * time.Second

// watchNetwork calls changed whenever the computer's network addresses change (a cable
// plugged in, Wi-Fi joined or switched, a VPN up or down), looking every so often with addrs
// (netAddrs), until ctx ends: a sign of life for the sync engine, which then tries the server
// at once instead of waiting out its backoff or a long poll on a connection the change left
// dead. Reading the addresses is a cheap local call.
func watchNetwork(ctx context.Context, every time.Duration, addrs func() string, changed func()) {
	last := addrs()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := addrs(); now != last {
			last = now
			changed()
		}
	}
}

// netAddrs is the computer's interface addresses as one sorted string ("" when they cannot be
// read).
func netAddrs() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	s := make([]string, 0, len(addrs))
	for _, a := range addrs {
		s = append(s, a.String())
	}
	slices.Sort(s)
	return strings.Join(s, ",")
}
