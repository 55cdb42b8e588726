package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"github.com/docker-krust/docker-krust/internal/cachedir"
	digest "github.com/opencontainers/go-digest"
)

// What the caches of cargo's answers (the crate graph, the toolchain)
// claim, and why krust believes them.
//
// Threat model: as for the layer cache (layercache_check.go), whoever can
// write cargo's target directory can put anything in the cache
// directories. An entry is a file named by the SHA-256 of its key, which
// it repeats, holding the answer and the digest of the answer's bytes.
// It is used only when it is a regular file inside the cache directory
// (never through a link, never blocking on a FIFO), bounded in size, its
// key is exactly the key asked for, the answer's bytes match the digest
// and the answer passes its cache's own checks (a graph names only
// packages the build compiled and the Cargo.lock krust has just hashed;
// a toolchain names a rustc, a cargo and a host). Anything else is a
// miss, said in a warning naming the entry, and cargo is asked again.
// The key is computed afresh on every build from what decides the answer
// (cargo.GraphInputs, cargo.ToolchainInputs), so an entry is found only
// for the same inputs. What cannot be checked without asking cargo: an
// entry written whole by someone who can write the target directory,
// with the right key and a consistent but false answer. Such a writer can
// change what cargo builds there anyway.

// answerCache keeps one kind of cargo's answers in files under cargo's
// target directory (cachedir), one per key, replaced atomically.
type answerCache struct {
	// target is cargo's target directory; "" disables the cache.
	target string
	// rel is the cache directory below target, slash-separated.
	rel string
	// what names the answer in messages ("crate graph").
	what string
	// max bounds the number of entries kept.
	max int
	log io.Writer
}

// maxAnswerEntrySize bounds what is read of an entry: a crate graph of
// a thousand crates is about 1 MB.
const maxAnswerEntrySize = 16 << 20

// answerEntry is one cache file.
type answerEntry struct {
	Key    json.RawMessage `json:"key"`
	Digest digest.Digest   `json:"digest"`
	Value  json.RawMessage `json:"value"`
}

// keyName is the file name of key's entry, and key's bytes.
func keyName(key any) (string, []byte, error) {
	data, err := json.Marshal(key)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + ".json", data, nil
}

// get decodes into value the answer cached for key and reports whether
// there was one that checks out (check, if not nil, is the cache's own
// check of the decoded answer). A missing entry is a silent miss; one
// that does not check out is a miss with a warning.
func (c answerCache) get(key, value any, check func() error) bool {
	if c.target == "" {
		return false
	}
	name, keyData, err := keyName(key)
	if err != nil {
		return false
	}
	dir, err := cachedir.Open(c.target, c.rel, false, "cache "+c.what+"s")
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			logf(c.log, "warning: the %s cache is not used: %v\n", c.what, err)
		}
		return false
	}
	defer dir.Close()
	data, err := cachedir.Read(dir, name, maxAnswerEntrySize)
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err == nil {
		err = decodeAnswer(data, keyData, value)
	}
	if err == nil && check != nil {
		err = check()
	}
	if err != nil {
		logf(c.log, "warning: %s cache entry %s not used: %v; asking cargo again\n", c.what, filepath.Join(c.target, filepath.FromSlash(c.rel), name), err)
		return false
	}
	return true
}

// decodeAnswer checks an entry's key and digest and decodes its answer.
func decodeAnswer(data, keyData []byte, value any) error {
	var e answerEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return fmt.Errorf("it is damaged: %w", err)
	}
	if string(e.Key) != string(keyData) {
		return fmt.Errorf("it is for another key (%.200s)", e.Key)
	}
	if got := digest.FromBytes(e.Value); got != e.Digest {
		return fmt.Errorf("its content is %s, not the %s it claims", got, e.Digest)
	}
	if err := json.Unmarshal(e.Value, value); err != nil {
		return fmt.Errorf("its content is damaged: %w", err)
	}
	return nil
}

// pendingAnswers are the answers a build caches once it has written its
// image: a build that fails leaves no cache entry (nor a cache directory)
// behind, like the layer cache.
type pendingAnswers struct {
	mu   sync.Mutex
	puts []func()
}

// later caches value as c's answer for key when save is called.
func (a *pendingAnswers) later(c answerCache, key, value any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.puts = append(a.puts, func() { c.put(key, value) })
}

// save writes the answers kept for later.
func (a *pendingAnswers) save() {
	a.mu.Lock()
	puts := a.puts
	a.puts = nil
	a.mu.Unlock()
	for _, put := range puts {
		put()
	}
}

// put writes value as the answer for key, and keeps the cache within max
// entries. A failure is only a warning: the next build asks cargo again.
func (c answerCache) put(key, value any) {
	if c.target == "" {
		return
	}
	if err := c.write(key, value); err != nil {
		logf(c.log, "warning: could not cache the %s (the next build asks cargo again): %v\n", c.what, err)
	}
}

func (c answerCache) write(key, value any) error {
	name, keyData, err := keyName(key)
	if err != nil {
		return err
	}
	v, err := json.Marshal(value)
	if err != nil {
		return err
	}
	data, err := json.Marshal(answerEntry{Key: keyData, Digest: digest.FromBytes(v), Value: v})
	if err != nil {
		return err
	}
	dir, err := cachedir.Open(c.target, c.rel, true, "cache "+c.what+"s")
	if err != nil {
		return err
	}
	defer dir.Close()
	if err := cachedir.Write(dir, name, append(data, '\n')); err != nil {
		return err
	}
	cachedir.Prune(dir, time.Now(), c.max)
	return nil
}
