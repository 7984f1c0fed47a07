package client

/*
This was modified from:
https://github.com/moby/moby/blob/v28.5.1/client/errors.go
*/

import (
	"errors"
	"fmt"
)

// errConnectionFailed implements an error returned when connection failed.
type errConnectionFailed struct {
	error
}

// Error returns a string representation of an errConnectionFailed
func (e errConnectionFailed) Error() string {
	return e.error.Error()
}

func (e errConnectionFailed) Unwrap() error {
	return e.error
}

// IsErrConnectionFailed returns true if the error is caused by connection failed.
func IsErrConnectionFailed(err error) bool {
	return errors.As(err, &errConnectionFailed{})
}

// connectionFailed returns an error with host in the error message when connection
// to docker daemon failed.
func connectionFailed(host string) error {
	var err error
	if host == "" {
		err = errors.New("cannot connect to the Docker daemon: is the docker daemon running on this host?")
	} else {
		err = fmt.Errorf("cannot connect to the Docker daemon at %s: is the docker daemon running?", host)
	}
	return errConnectionFailed{error: err}
}
