package api

/*
This was modified from:
https://github.com/moby/moby/blob/v28.5.1/api/common.go
*/

// Common constants for daemon and client.
const (
	// DefaultVersion of the current REST API.
	DefaultVersion = "1.51"
)
