package auth

import "errors"

// Sentinel errors of this package, for errors.Is. The errors returned say
// which helper, for which registry, and what to do next.
var (
	// ErrHelperNoAnswer means a credential helper gave no answer within
	// Resolver.HelperTimeout (a locked keychain waiting for a password).
	ErrHelperNoAnswer = errors.New("credential helper gave no answer")
	// ErrHelperFailed means a credential helper failed or answered
	// something that is not credentials; its output is never quoted, as it
	// may hold a secret.
	ErrHelperFailed = errors.New("credential helper failed")
)

// kindError is an error of a kind (a sentinel above) whose text is msg
// alone: the kind is for errors.Is, the words for the user.
type kindError struct {
	kind, err error
	msg       string
}

func (e *kindError) Error() string   { return e.msg }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
