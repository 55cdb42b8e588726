package provenance

import (
	"fmt"
	"slices"
	"time"

	"github.com/docker-krust/docker-krust/internal/scrub"
	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// predicate builds the SLSA Provenance v1 predicate of in.
func predicate(in Input) (*slsa.Provenance, error) {
	ext, err := structpb.NewStruct(externalParameters(in.Params))
	if err != nil {
		return nil, fmt.Errorf("externalParameters: %w", err)
	}
	deps, err := resolvedDependencies(in)
	if err != nil {
		return nil, err
	}
	def := &slsa.BuildDefinition{
		BuildType:            BuildType,
		ExternalParameters:   ext,
		ResolvedDependencies: deps,
	}
	if !in.Created.IsZero() {
		def.InternalParameters, err = structpb.NewStruct(map[string]any{
			"created": in.Created.UTC().Format(time.RFC3339Nano),
		})
		if err != nil {
			return nil, fmt.Errorf("internalParameters: %w", err)
		}
	}
	return &slsa.Provenance{
		BuildDefinition: def,
		RunDetails:      &slsa.RunDetails{Builder: builder(in.Builder)},
	}, nil
}

// externalParameters lists every parameter, empty ones too, so that a
// verifier can tell "not given" from "not recorded". Each is scrubbed
// (package scrub): cargo's arguments by its allow-list of build settings.
func externalParameters(p Params) map[string]any {
	features := slices.Clone(p.Features)
	slices.Sort(features)
	features = slices.Compact(features)
	params := map[string]any{
		"package":   scrub.Value(p.Package),
		"bin":       scrub.Value(p.Bin),
		"platform":  scrub.Value(p.Platform),
		"target":    scrub.Value(p.Target),
		"profile":   scrub.Value(p.Profile),
		"libc":      scrub.Value(p.Libc),
		"features":  list(valuesOf(features)),
		"cargoArgs": list(scrub.CargoArgs(p.CargoArgs)),
		"base":      scrub.ImageRef(p.Base),
	}
	if len(p.Bins) > 1 {
		params["bins"] = list(valuesOf(p.Bins))
	}
	return params
}

// list returns ss as structpb.NewStruct takes a list.
func list(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func valuesOf(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = scrub.Value(s)
	}
	return out
}

func builder(b Builder) *slsa.Builder {
	id := b.ID
	if id == "" {
		id = BuilderID
	}
	out := &slsa.Builder{Id: scrub.Value(id)}
	if b.Version != "" {
		out.Version = map[string]string{builderName: b.Version}
	}
	return out
}

// toStruct converts p to the generic Struct a Statement's predicate is.
func toStruct(p *slsa.Provenance) (*structpb.Struct, error) {
	raw, err := protojson.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode predicate: %w", err)
	}
	var s structpb.Struct
	if err := protojson.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("decode predicate: %w", err)
	}
	return &s, nil
}

// validateProvenance runs the bindings' Validate. Their v1.2.0 still
// checks a gitCommit digest for SHA-1's length only, while the in-toto
// digest set spec allows SHA-256 commits (64 hex digits; in-toto/attestation
// issue 184, fixed after v1.2.0): sourceDep checks such a commit itself,
// and it is left out of the copy the bindings see.
func validateProvenance(p *slsa.Provenance) error {
	check := proto.CloneOf(p)
	for _, rd := range check.GetBuildDefinition().GetResolvedDependencies() {
		if len(rd.GetDigest()[gitCommit]) == 64 {
			delete(rd.Digest, gitCommit)
		}
	}
	if err := check.Validate(); err != nil {
		return fmt.Errorf("SLSA provenance: %w", err)
	}
	return nil
}
