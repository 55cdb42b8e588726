package main

import (
	"io"
	"os"
)

// environment is what the commands take from the process, gathered in one
// place so that tests can supply their own.
type environment struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	environ        func() []string
}

func newEnvironment(stdout, stderr io.Writer) *environment {
	return &environment{stdout: stdout, stderr: stderr, getenv: os.Getenv, environ: os.Environ}
}
