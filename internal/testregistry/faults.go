package testregistry

import (
	"net/http"
	"strings"
	"sync"
)

// Fault decides what the proxy does with the n-th request it receives (n
// counts from 1 over all requests, faulted or not): it returns one of the
// Fault* constants, FaultNone ("") to forward the request unchanged.
//
// The proxy calls it with its lock held, one request at a time in order of
// n, so a Fault may keep state without locking, but it must not call the
// Proxy's methods.
//
// Note that Go's http.Transport silently retries an idempotent request
// (GET, HEAD, ...) once when a reused keep-alive connection breaks before a
// response, so a FaultReset on such a request may go unseen by the client
// and show up as two requests here.
type Fault func(n int, r *http.Request) string

// The faults a Fault can inject.
const (
	// FaultNone forwards the request unchanged.
	FaultNone = ""
	// Fault503 answers 503 Service Unavailable without forwarding.
	Fault503 = "503"
	// FaultReset closes the connection (with a TCP reset) without
	// answering and without forwarding.
	FaultReset = "reset"
	// FaultTruncate forwards the request, sends the response headers and
	// the first half of the body, then closes the connection. With no
	// Content-Length (or none to speak of: HEAD, empty bodies) no body
	// byte is sent.
	FaultTruncate = "truncate"
	// FaultCorrupt forwards the request and inverts every byte of the
	// response body; its length and headers are unchanged.
	FaultCorrupt = "corrupt"
	// FaultStall holds the request without forwarding or answering until
	// the client gives up (its request context ends) or the proxy is
	// closed; then the connection is closed.
	FaultStall = "stall"
	// Fault403 answers 403 Forbidden with a DENIED error, as a registry
	// whose rules forbid the request, without forwarding.
	Fault403 = "403"
	// FaultDrop answers a PUT (or POST) 201 Created, with the
	// Docker-Content-Digest of its body, as if the registry had stored
	// it, and stores nothing: a registry that loses what it accepts.
	FaultDrop = "drop"
	// FaultEmptyReferrers answers 200 with an empty OCI image index, as
	// a referrers API (GET /v2/REPO/referrers/DIGEST) that lists
	// nothing, without forwarding.
	FaultEmptyReferrers = "empty-referrers"
)

// Always injects fault into every request.
func Always(fault string) Fault {
	return func(int, *http.Request) string { return fault }
}

// Every injects fault into every k-th request (k, 2k, ...). k < 1 injects
// nothing.
func Every(k int, fault string) Fault {
	return func(n int, _ *http.Request) string {
		if k >= 1 && n%k == 0 {
			return fault
		}
		return FaultNone
	}
}

// FirstN injects fault into the first n requests.
func FirstN(n int, fault string) Fault {
	return func(i int, _ *http.Request) string {
		if i <= n {
			return fault
		}
		return FaultNone
	}
}

// OnPath injects fault into the first times requests whose URL path contains
// substr, and forwards all others.
func OnPath(substr, fault string, times int) Fault {
	var mu sync.Mutex // the same Fault may be given to several proxies
	hits := 0
	return func(_ int, r *http.Request) string {
		if !strings.Contains(r.URL.Path, substr) {
			return FaultNone
		}
		mu.Lock()
		defer mu.Unlock()
		if hits >= times {
			return FaultNone
		}
		hits++
		return fault
	}
}
