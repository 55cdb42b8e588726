package sign

import "errors"

// Errors of key loading and verification; each is wrapped with the file
// or the digest it is about.
var (
	// ErrNotAKey is a file that holds no private key krust can read.
	ErrNotAKey = errors.New("not a key file krust reads")
	// ErrWrongPassword is an encrypted key the password does not open.
	ErrWrongPassword = errors.New("wrong password for the encrypted key")
	// ErrNoPassword is an encrypted key with no password to open it.
	ErrNoPassword = errors.New("no password for the encrypted key")
	// ErrUnsupportedKey is a key of a type or curve cosign does not
	// verify the way krust signs.
	ErrUnsupportedKey = errors.New("unsupported key type")
	// ErrNotVerified is a signature that the public key does not verify,
	// or a signed statement about another subject.
	ErrNotVerified = errors.New("signature not verified")
)
