// Package resolve finds the krust:// references in Kubernetes YAML or JSON
// and rewrites them into image references by digest, changing no other
// byte.
//
// A reference is a scalar value anywhere in a document, except a mapping
// key, whose text starts with krust://; the text after it is the REF the
// caller resolves. An alias (*a) of an anchored reference is not a second
// reference: it follows its anchor.
//
// Find parses every source with yaml.v3, so malformed input is refused
// with its name and line, and locates each reference's exact bytes: after
// its anchor and tag, and up to the end of its quoted or plain text, then
// decodes those bytes again and checks they give the value the parser saw.
// Rewrite puts the new value in those bytes, in the same style (plain,
// 'single-quoted' or "double-quoted"), and leaves everything else as it
// was: comments, key order, quoting, indentation, anchors, tags, line
// endings, and documents without a reference byte for byte.
//
// What is refused rather than guessed, with the source, line and column:
// an empty krust://; a reference written as a block scalar (| or >); one
// whose bytes do not read back as its value; one in UTF-16 input; an alias
// that stands for a krust:// value inside a mapping key (keys are never
// replaced); and a replacement that the reference's style could not hold
// without escaping. A quoted reference written with escapes
// ("\u006brust://api") or over several lines, plain or quoted, is located
// exactly, checked by the parser, and replaced whole by one line.
package resolve
