package main

import "golang.org/x/sys/unix"

// The ioctls that read and set a terminal's attributes.
const (
	getTermios = unix.TIOCGETA
	setTermios = unix.TIOCSETA
)
