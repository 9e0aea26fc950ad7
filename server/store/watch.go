package store

import "context"

// Watcher is implemented by stores that several servers share (package kefu/server/pgstore):
// it tells a server of the commits made through the others, so that their long polls wake.
type Watcher interface {
	// Watch calls fn with a shop and its newest seq after Updates of that shop that wrote
	// records commit, through this server or another, until ctx ends; then it returns
	// ctx's error. It is a hint: a call may come late, repeat a seq or skip some, and the
	// caller re-reads the feed by cursor. Watch recovers from lost connections by itself.
	Watch(ctx context.Context, fn func(shopID string, seq int64)) error
}
