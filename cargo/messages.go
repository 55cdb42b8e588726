package cargo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// message is the part of one of cargo's JSON messages that we read.
type message struct {
	Reason     string  `json:"reason"`
	Target     Target  `json:"target"`
	Executable *string `json:"executable"`
	Success    *bool   `json:"success"`
}

// Executable is an executable cargo reported building.
type Executable struct {
	// Name is the binary target's name.
	Name string
	// Path is the executable's path.
	Path string
}

// Executables reads cargo's --message-format=json stream and returns each
// executable built for a binary target, in the order cargo reported them.
// Lines that are not JSON objects are ignored, as cargo's own tools do.
func Executables(r io.Reader) ([]Executable, error) {
	out := []Executable{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var m message
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("read cargo's JSON messages: %w", err)
		}
		if m.Reason == "compiler-artifact" && m.Executable != nil && slices.Contains(m.Target.Kind, "bin") {
			out = append(out, Executable{Name: m.Target.Name, Path: *m.Executable})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cargo's JSON messages: %w", err)
	}
	return out, nil
}

// find returns the path of bin built for triple with profile: cargo puts
// what it builds for an explicit --target under target/TRIPLE/PROFILE_DIR/.
func find(exes []Executable, bin, triple, profile string) (string, bool) {
	dir := "/" + triple + "/" + ProfileDir(profile) + "/"
	for _, e := range exes {
		if e.Name == bin && strings.Contains(filepath.ToSlash(e.Path), dir) {
			return e.Path, true
		}
	}
	return "", false
}
