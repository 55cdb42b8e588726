//go:build !linux && !darwin

package main

import "errors"

// noEcho is not available here: the password comes from COSIGN_PASSWORD.
func noEcho(int) (func(), error) {
	return nil, errors.New("asking for a password without echo needs Linux or macOS: set COSIGN_PASSWORD")
}
