// Package testregistry runs throw-away OCI registries and fault-injecting
// proxies for tests.
//
// Start launches the machine's docker-registry (distribution 2.8) on a free
// 127.0.0.1 port, optionally with TLS (a fresh CA and server certificate made
// in Go) and htpasswd basic auth. StartProxy puts a plain-HTTP recording
// reverse proxy in front of a registry; its Fault plan can answer 503, reset
// connections, truncate or corrupt response bodies, or stall requests.
//
// Everything started here is stopped by the cleanup of the test that started
// it. The package is meant to be imported from _test.go files only.
package testregistry
