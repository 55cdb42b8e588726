// Package codeshape holds no code: its test keeps the module's production
// code within the limits the project keeps (no function over 60 lines, no
// file over 400), so that a long sequence or a file of several concepts is
// split when it is written, not in a later clean-up.
package codeshape
