package testkube

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// user is the name the token authenticates as; system:masters may do
// anything.
const user = "krust-admin"

// writeServiceAccountKey writes a fresh RSA key, in PEM, for signing and
// verifying service account tokens.
func writeServiceAccountKey(file string) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate service account key: %w", err)
	}
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		return fmt.Errorf("write service account key: %w", err)
	}
	return nil
}

// writeTokenFile writes a static token file authenticating a new random
// token as user, in group system:masters, and returns the token.
func writeTokenFile(file string) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	token := hex.EncodeToString(raw)
	line := fmt.Sprintf("%s,%s,%s-uid,system:masters\n", token, user, user)
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		return "", fmt.Errorf("write token file: %w", err)
	}
	return token, nil
}

// kubeconfig is the part of kubectl's configuration file written here.
// JSON is YAML, so kubectl reads it as it is.
type kubeconfig struct {
	APIVersion     string        `json:"apiVersion"`
	Kind           string        `json:"kind"`
	Clusters       []namedObject `json:"clusters"`
	Users          []namedObject `json:"users"`
	Contexts       []namedObject `json:"contexts"`
	CurrentContext string        `json:"current-context"`
}

// namedObject is one entry of a kubeconfig list.
type namedObject struct {
	Name    string            `json:"name"`
	Cluster map[string]string `json:"cluster,omitempty"`
	User    map[string]string `json:"user,omitempty"`
	Context map[string]string `json:"context,omitempty"`
}

// writeKubeconfig writes a kubeconfig for server (https://127.0.0.1:PORT),
// trusting caFile and presenting token, as the current context "krust".
func writeKubeconfig(file, server, caFile, token string) error {
	const name = "krust"
	cfg := kubeconfig{
		APIVersion: "v1",
		Kind:       "Config",
		Clusters: []namedObject{{Name: name, Cluster: map[string]string{
			"server": server, "certificate-authority": caFile}}},
		Users:          []namedObject{{Name: name, User: map[string]string{"token": token}}},
		Contexts:       []namedObject{{Name: name, Context: map[string]string{"cluster": name, "user": name}}},
		CurrentContext: name,
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("encode kubeconfig: %w", err)
	}
	if err := os.WriteFile(file, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// mkdirs creates the named directories under dir.
func mkdirs(dir string, names ...string) error {
	for _, n := range names {
		if err := os.MkdirAll(filepath.Join(dir, n), 0o700); err != nil {
			return fmt.Errorf("create %s: %w", n, err)
		}
	}
	return nil
}
