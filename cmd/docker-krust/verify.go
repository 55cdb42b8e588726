package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/sign"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

// errNoKey is verify without --key.
var errNoKey = errors.New("verify needs the public key: --key cosign.pub")

func newVerifyCommand(env *environment) *cobra.Command {
	var f registryFlags
	var keyPath string
	cmd := &cobra.Command{
		Use:   "verify --key PUBLIC_KEY IMAGE",
		Short: "Verify an image's signatures and signed attestations with a public key, offline",
		Long: "Check the Sigstore bundles attached to IMAGE, a registry reference\n" +
			"(REGISTRY/REPO:TAG or @sha256:DIGEST) or an OCI layout (oci:DIR[:TAG]), with\n" +
			"the public key of the key that signed it (build --sign-key): the image, and\n" +
			"for an index each platform's manifest, must carry an image signature the key\n" +
			"verifies, as cosign verify --key --insecure-ignore-tlog requires; each signed\n" +
			"attestation (SBOM, provenance) is checked too, and a type of attestation\n" +
			"attached of which none verifies fails the check (attestations are not\n" +
			"required: cosign verify-attestation --type requires one). No log, no timestamp, no network\n" +
			"beyond the registry. stdout gets the verified image, by digest from a registry\n" +
			"and as oci:DIR:TAG from a layout (oci: references name no digest; the digest\n" +
			"is on stderr); stderr what was found. Exits non-zero naming each manifest\n" +
			"without a valid signature.",
		Example: strings.ReplaceAll("  FACE verify --key cosign.pub registry.example.com/team/app:v1\n"+
			"  FACE verify --key cosign.pub oci:target/krust/app/app:latest", "FACE", env.face),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return errNoKey
			}
			pub, err := sign.LoadPublicKey(keyPath)
			if err != nil {
				return err
			}
			v, err := sign.NewVerifier(pub)
			if err != nil {
				return err
			}
			return verifyImage(cmd.Context(), env, &f, v, args[0])
		},
	}
	cmd.Flags().StringVar(&keyPath, "key", "", "the public key (`FILE`, PEM), as cosign generate-key-pair writes cosign.pub")
	f.register(cmd.Flags())
	return cmd
}

// verifyImage opens what image names, verifies it with v and reports.
func verifyImage(ctx context.Context, env *environment, f *registryFlags, v *sign.Verifier, image string) error {
	src, root, name, release, err := openVerified(ctx, env, f, image)
	if err != nil {
		return err
	}
	defer release()
	checked, err := sign.VerifyImage(ctx, src, root, v)
	report(env.stderr, checked)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(env.stdout, name)
	return err
}

// openVerified opens the layout or the registry repository image names
// and resolves it; name is the image by digest, for stdout.
func openVerified(ctx context.Context, env *environment, f *registryFlags, image string) (sign.Source, ocispec.Descriptor, string, func(), error) {
	if dir, tag, ok := layout.ParseRef(image); ok || strings.HasPrefix(image, "oci:") {
		if !ok {
			dir = strings.TrimPrefix(image, "oci:")
		}
		store, err := openLayout(dir)
		if err != nil {
			return nil, ocispec.Descriptor{}, "", nil, err
		}
		release, err := leaseForPush(ctx, store)
		if err != nil {
			return nil, ocispec.Descriptor{}, "", nil, err
		}
		root, err := store.FindImage(ctx, tag)
		if err != nil {
			release()
			return nil, ocispec.Descriptor{}, "", nil, err
		}
		return store, root, layout.ImageRef(store.Dir(), tag, root), release, nil
	}
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil || scrub.Reference(image) != image {
		return nil, ocispec.Descriptor{}, "", nil, fmt.Errorf("invalid image %q: want REGISTRY/REPO[:TAG|@DIGEST] or oci:DIR[:TAG]", scrub.Reference(image))
	}
	named = reference.TagNameOnly(named)
	cfg, err := env.krustConfig()
	if err != nil {
		return nil, ocispec.Descriptor{}, "", nil, err
	}
	client, err := f.client(env, cfg)
	if err != nil {
		return nil, ocispec.Descriptor{}, "", nil, err
	}
	repo, err := client.Repository(ctx, named)
	if err != nil {
		return nil, ocispec.Descriptor{}, "", nil, err
	}
	ref := ""
	if d, ok := named.(reference.Digested); ok {
		ref = d.Digest().String()
	} else if t, ok := named.(reference.Tagged); ok {
		ref = t.Tag()
	}
	root, err := repo.Resolve(ctx, ref)
	if err != nil {
		return nil, ocispec.Descriptor{}, "", nil, fmt.Errorf("resolve %s: %w", image, err)
	}
	return repo, root, named.Name() + "@" + root.Digest.String(), func() {}, nil
}

// report says what was found of each manifest checked.
func report(w io.Writer, checked []sign.Checked) {
	for _, c := range checked {
		what := "image " + c.Subject.Digest.String()
		if c.Platform != "" {
			what = c.Platform + " manifest " + c.Subject.Digest.String()
		}
		var verified []string
		for _, p := range slices.Sorted(maps.Keys(c.Verified)) {
			verified = append(verified, fmt.Sprintf("%s (%d)", predicateName(p), c.Verified[p]))
		}
		if len(verified) == 0 {
			verified = []string{"nothing"}
		}
		fmt.Fprintf(w, "%s: verified %s\n", what, strings.Join(verified, ", "))
		for _, err := range c.Failed {
			fmt.Fprintf(w, "  not verified: %v\n", err)
		}
	}
}

// predicateName says what a predicate type is, in cosign's --type words.
func predicateName(p string) string {
	switch p {
	case sign.SignaturePredicate:
		return "signature"
	case sign.SLSAPredicate:
		return "slsaprovenance1 attestation"
	case sign.SPDXPredicate:
		return "spdxjson attestation"
	case sign.CycloneDXPredicate:
		return "cyclonedx attestation"
	}
	return p + " attestation"
}
