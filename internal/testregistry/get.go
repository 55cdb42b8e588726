package testregistry

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Get GETs url asking for accept and returns the status and the body;
// a request that fails ends the test.
func Get(t testing.TB, url, accept string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, data
}

// GetIndex GETs an OCI image index (a referrers list, the index of a
// sha256- referrers tag) from url; a status other than 200 comes with an
// empty index, a body that is no index ends the test.
func GetIndex(t testing.TB, url string) (int, ocispec.Index) {
	t.Helper()
	status, data := Get(t, url, ocispec.MediaTypeImageIndex)
	var idx ocispec.Index
	if status == http.StatusOK {
		if err := json.Unmarshal(data, &idx); err != nil {
			t.Fatalf("GET %s: %v\n%s", url, err, data)
		}
	}
	return status, idx
}
