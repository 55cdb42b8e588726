package oci

// LayerFormat names how WriteLayer encodes a layer: the compression, the
// implementation and the level. Two writers with the same LayerFormat give
// the same bytes for the same files, so a cache of layers (see package
// builder) keys its entries by it: whoever changes the compression, its
// library or its level must change this string too, or cached layers of
// the old encoding would be reused as if they were the new one.
func LayerFormat() string {
	return "gzip/stdlib/6"
}
