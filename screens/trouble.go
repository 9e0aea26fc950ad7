package screens

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2/lang"

	"kefu/desk"
)

// Kinds of failure the desk explains in plain words, as SyncView.Cause and SignInError.Cause
// carry them. They have the values of the sync engine's causes (package sync), which the desk
// passes on as they are; causes not listed here are shown with the error's own text.
const (
	CauseUnreachable   = "unreachable"    // no answer from the server
	CauseWebPage       = "web_page"       // a web page answered at the server's address
	CauseNotKefuStore  = "not_kefu_store" // something answered, but not like a Kefu store
	CauseServerError   = "server_error"   // the server failed or was busy
	CauseWrongPassword = "wrong_password" // the sign-in was refused
	CauseBadURL        = "bad_url"        // the server address is not an http(s) address
	CauseDiskFull      = "disk_full"      // this computer's disk is full
	CauseReadOnly      = "read_only"      // the desk's data folder cannot be written
)

// SignInError is a failed sign-in sorted by cause (one of the Cause values), so the sign-in
// form can say what happened and what to do.
type SignInError struct {
	Cause string
	Err   error
}

// Error is the underlying error's text.
func (e *SignInError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SignInError) Unwrap() error { return e.Err }

// wrongServerText says that the address does not lead to a Kefu store, or "" for another cause.
func wrongServerText(cause, server string) string {
	switch cause {
	case CauseWebPage:
		return fmt.Sprintf(lang.L("The server at %s is not a Kefu store: it answered with a web page. Check the address; if this network needs a sign-in (hotel or shop Wi-Fi), sign in with your web browser first."), server)
	case CauseNotKefuStore:
		return fmt.Sprintf(lang.L("The server at %s is not a Kefu store: its answers are not a Kefu store's. Check the address."), server)
	}
	return ""
}

// syncTroubleText is the status bar's banner for a sync failure the staff member should act
// on, or "" when the state line says enough.
func syncTroubleText(cause, server string) string {
	kept := " " + lang.L("Your work is kept on this computer and sent as soon as the store answers.")
	if s := wrongServerText(cause, server); s != "" {
		return s + kept
	}
	switch cause {
	case CauseServerError:
		return fmt.Sprintf(lang.L("The server at %s answered with an error instead of the shop's data: the store server may be down or restarting, or a proxy in front of it cannot reach it. The desk keeps trying."), server) + kept
	case CauseDiskFull:
		return lang.L("The disk of this computer is full: Kefu Desk cannot save what the server sends. Free some space (empty the recycle bin, delete large files you no longer need); the desk goes on by itself.")
	case CauseReadOnly:
		return lang.L("Kefu Desk cannot write in its data folder, so it cannot save what the server sends. Check that the disk is plugged in and not read-only; the desk goes on by itself.")
	}
	return ""
}

// signInText is what the sign-in form says about a failed sign-in at server.
func signInText(server string, err error) string {
	var se *SignInError
	if !errors.As(err, &se) {
		return err.Error()
	}
	if s := wrongServerText(se.Cause, server); s != "" {
		return s
	}
	switch se.Cause {
	case CauseWrongPassword:
		return lang.L("The shop, staff number or password is wrong. Check them and try again.")
	case CauseUnreachable:
		return fmt.Sprintf(lang.L("Cannot reach the server at %s. Check the internet connection and the address, then try again."), server)
	case CauseBadURL:
		return fmt.Sprintf(lang.L("The server address %s is not a web address: it must start with http:// or https://."), server)
	case CauseServerError:
		return fmt.Sprintf(lang.L("The server at %s could not sign you in just now. Try again in a few minutes."), server) +
			"\n(" + se.Err.Error() + ")"
	}
	return se.Err.Error()
}

// notSavedText explains an action the local store did not record because of its disk, or
// returns "" for another error.
func notSavedText(err error) string {
	switch {
	case errors.Is(err, desk.ErrDiskFull):
		return lang.L("The disk of this computer is full, so this was not saved. What you typed is still there: free some space (empty the recycle bin, delete large files you no longer need), then try again.")
	case errors.Is(err, desk.ErrReadOnly):
		return lang.L("Kefu Desk cannot write in its data folder, so this was not saved. What you typed is still there: check that the disk is plugged in and not read-only, then try again.")
	}
	return ""
}
