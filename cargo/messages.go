package cargo

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// message is the part of one of cargo's JSON messages that we read.
type message struct {
	Reason     string  `json:"reason"`
	Target     Target  `json:"target"`
	Executable *string `json:"executable"`
	Success    *bool   `json:"success"`
}

// Executables reads cargo's --message-format=json stream and returns the
// path of each executable built for a binary target, by target name. Lines
// that are not JSON objects are ignored, as cargo's own tools do.
func Executables(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
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
			out[m.Target.Name] = *m.Executable
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cargo's JSON messages: %w", err)
	}
	return out, nil
}
