package atomicfile

// syncDir does nothing: Windows cannot sync a folder (FlushFileBuffers on a folder's handle
// fails with "Access is denied"), and its rename (MoveFileEx) is the last step Write takes.
func syncDir(dir string) error { return nil }
