package sync

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"kefu/localdb"
)

// State is the sync engine's connection state, as the desk's status bar shows it.
type State string

// The engine's states.
const (
	// StateOnline: the desk is connected and caught up with the server (it may still be pushing
	// a few fresh mutations; Pending counts them).
	StateOnline State = "online"
	// StateOffline: the server cannot be reached (or answers with server errors); Since says
	// since when. Local work goes on and waits in the outbox.
	StateOffline State = "offline"
	// StateSyncing: connecting, pushing a backlog after a reconnect, or pulling a large part of
	// the change feed (Done of Total during a first full sync).
	StateSyncing State = "syncing"
	// StateSignedOut: the server refused the token (expired or revoked); nothing is sent until a
	// new token is set with Engine.SetToken.
	StateSignedOut State = "signed_out"
)

// Status is what the desk shows about sync.
type Status struct {
	State State
	// Since is when the desk went offline (StateOffline only).
	Since time.Time
	// Done and Total are the progress of a large pull (the first full sync): the feed sequence
	// reached and the server's newest one. Both are zero when no large pull is under way.
	Done, Total int64
	// Left is the estimated time the large pull still takes (0 while unknown); it means
	// something only while Total is set.
	Left time.Duration
	// Pending is the number of local mutations not yet acknowledged by the server.
	Pending int
	// Problems is the number of pushed mutations the server did not apply (conflicts and
	// rejections) that still need the staff member's attention.
	Problems int
	// LastSync is when the desk last completed a pull from the server.
	LastSync time.Time
	// Err describes the last failure (a transport error, a refused batch); empty when the last
	// exchange with the server went well.
	Err string
	// Cause is what kind of failure Err describes, so the desk can explain it in plain words;
	// CauseNone when Err is empty.
	Cause Cause
	// NextTry is when the engine next asks the server whether it answers again (StateOffline
	// only; zero otherwise): the next health probe or retry. Engine.ReconnectNow tries at once.
	NextTry time.Time
}

// Cause is the kind of a sync or sign-in failure, for the desk to word: CauseOf tells it from
// an error, Status.Cause carries it.
type Cause string

// The kinds of failure.
const (
	CauseNone          Cause = ""
	CauseUnreachable   Cause = "unreachable"    // no answer (ErrUnreachable)
	CauseNetworkDown   Cause = "network_down"   // this computer has no network to reach the server by
	CauseWebPage       Cause = "web_page"       // a web page answered (ErrWebPage)
	CauseNotKefuStore  Cause = "not_kefu_store" // something else answered (ErrNotKefuStore)
	CauseServerError   Cause = "server_error"   // the server failed, timed out or was busy (5xx, 408, 429)
	CauseRefused       Cause = "refused"        // the store refused the request (a 4xx of its own)
	CauseSignedOut     Cause = "signed_out"     // the store no longer accepts the token (ErrSignedOut)
	CauseWrongPassword Cause = "wrong_password" // a sign-in was refused (ErrWrongPassword)
	CauseBadURL        Cause = "bad_url"        // the address is not an http(s) URL (ErrBadURL)
	CauseFeedBehind    Cause = "feed_behind"    // the server has less than the desk saw (ErrFeedBehind)
	CauseDiskFull      Cause = "disk_full"      // the desk's disk is full (localdb.ErrDiskFull)
	CauseReadOnly      Cause = "read_only"      // the desk's data folder cannot be written (localdb.ErrReadOnly)
	CauseLocal         Cause = "local"          // another failure of the desk's local store (ErrLocal)
	CauseOther         Cause = "other"          // anything else
)

// CauseOf tells what kind of failure err is (CauseNone for nil).
func CauseOf(err error) Cause {
	switch {
	case err == nil:
		return CauseNone
	case errors.Is(err, localdb.ErrDiskFull):
		return CauseDiskFull
	case errors.Is(err, localdb.ErrReadOnly):
		return CauseReadOnly
	case errors.Is(err, ErrLocal):
		return CauseLocal
	case errors.Is(err, ErrSignedOut):
		return CauseSignedOut
	case errors.Is(err, ErrWrongPassword):
		return CauseWrongPassword
	case errors.Is(err, ErrBadURL):
		return CauseBadURL
	case errors.Is(err, ErrFeedBehind):
		return CauseFeedBehind
	case errors.Is(err, ErrWebPage):
		return CauseWebPage
	case errors.Is(err, ErrNotKefuStore):
		return CauseNotKefuStore
	case errors.Is(err, ErrUnreachable) && networkDown(err):
		return CauseNetworkDown
	case errors.Is(err, ErrUnreachable):
		return CauseUnreachable
	}
	var se *ServerError
	if errors.As(err, &se) {
		switch {
		case se.StatusCode == http.StatusUnauthorized:
			return CauseSignedOut
		case retryable(err):
			return CauseServerError
		}
		return CauseRefused
	}
	return CauseOther
}

// networkDown reports whether a failure to reach the server says that this computer has no
// network to reach it by (no route, the network or interface is down, no name server answers),
// rather than that the server does not answer.
func networkDown(err error) bool {
	if errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.ENETDOWN) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.EADDRNOTAVAIL) {
		return true
	}
	var de *net.DNSError
	// A name the name server does not know is a wrong address; no name server answering is no
	// network.
	return errors.As(err, &de) && !de.IsNotFound && (de.IsTimeout || de.IsTemporary)
}

// Progress returns Done/Total as a fraction between 0 and 1 (0 when Total is unknown).
func (s Status) Progress() float64 {
	if s.Total <= 0 {
		return 0
	}
	f := float64(s.Done) / float64(s.Total)
	if f > 1 {
		f = 1
	}
	return f
}

// String describes the status in one line of English, for logs.
func (s Status) String() string {
	var msg string
	switch s.State {
	case StateOffline:
		msg = "offline since " + s.Since.Format(time.DateTime)
		if !s.NextTry.IsZero() {
			msg += ", next try at " + s.NextTry.Format(time.TimeOnly)
		}
	case StateSyncing:
		if s.Total > 0 {
			msg = fmt.Sprintf("syncing %d of %d", s.Done, s.Total)
		} else {
			msg = "syncing"
		}
	default:
		msg = string(s.State)
	}
	if s.Pending > 0 {
		msg += fmt.Sprintf(", %d pending", s.Pending)
	}
	if s.Problems > 0 {
		msg += fmt.Sprintf(", %d problems", s.Problems)
	}
	if s.Err != "" {
		msg += ": " + s.Err
	}
	return msg
}
