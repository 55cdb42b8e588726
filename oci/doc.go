// Package oci builds and reads the documents of an OCI image, from the
// image-spec types: the reproducible layers a build adds, of regular
// files, directories and symbolic links (WriteLayer, File); an image as a
// base plus an ordered list of added layers (AddedLayer), with its config
// (NewConfig) and manifest (NewImageManifest, or NewManifest for any),
// the index of several platforms (NewIndex) and their canonical bytes and
// descriptors (Encode); platforms as users write them and as indexes list
// them (ParsePlatform, SelectPlatform, Platforms); and a size-limited,
// digest-verified reader of any JSON document (ReadJSON).
//
// It keeps no state and touches nothing but the io.Writer and the oras
// content.Fetcher it is given: where blobs are stored is package layout's
// business (the on-disk image layout, its locks and crash safety), talking
// to registries is package remote's, and running cargo is package cargo's.
// So everything here can be tested with bytes in memory, and the same
// inputs always give the same bytes.
package oci
