package trust

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pigeon-call/pigeon/internal/private"
)

var (
	// ErrPeerChanged means a known peer's certificate is not the one seen
	// before. The error returned is a *PeerChangedError.
	ErrPeerChanged = errors.New("the peer's certificate has changed since the last call")

	// ErrNoKnownPeersFile means DefaultKnownPeers found no configuration
	// directory to keep the known peers in.
	ErrNoKnownPeersFile = errors.New("finding the known-peers file")
)

// PeerChangedError says whose certificate changed, and where it was known.
type PeerChangedError struct {
	Name      string
	File      string
	Known     string // the fingerprint on record
	Presented string // the fingerprint of this call
}

// Error is the loud warning a person must see: what changed, what it may
// mean, and what to do if it is expected.
func (e *PeerChangedError) Error() string {
	return fmt.Sprintf("WARNING: %s's certificate has changed (known %s, this call %s): someone may be "+
		"in the middle of the call, so it was ended; if %s really has a new identity, confirm it another way, "+
		"then delete their line from %s", e.Name, short(e.Known), short(e.Presented), e.Name, e.File)
}

// Is reports whether target is ErrPeerChanged.
func (e *PeerChangedError) Is(target error) bool { return target == ErrPeerChanged }

func short(fp string) string {
	if len(fp) > 23 {
		return fp[:23] + "..."
	}
	return fp
}

// KnownPeers is a known-peers file: one line a peer, its name and the
// SHA-256 fingerprint of its certificate ("alice sha-256 AB:CD:..."), and
// the time it was first seen. Lines starting with # are comments.
type KnownPeers struct {
	Path string
}

// DefaultKnownPeers returns the known-peers file of this user:
// known_peers in pigeon's directory of the user's configuration.
func DefaultKnownPeers() (KnownPeers, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return KnownPeers{}, fmt.Errorf("%w: %w", ErrNoKnownPeersFile, err)
	}
	return KnownPeers{Path: filepath.Join(dir, "pigeon", "known_peers")}, nil
}

// Check compares the fingerprint a peer presented with the one on record
// for name. A name not on record is added (trust on first use), and first
// says so. A different fingerprint is a *PeerChangedError, and the record
// is left as it was.
func (k KnownPeers) Check(name, fingerprint string) (first bool, err error) {
	if !validName(name) {
		return false, fmt.Errorf("peer name %q: use a name without spaces or #", name)
	}
	known, err := k.lookup(name)
	if err != nil {
		return false, err
	}
	switch {
	case known == "":
		return true, k.add(name, fingerprint)
	case !strings.EqualFold(known, fingerprint):
		return false, &PeerChangedError{Name: name, File: k.Path, Known: known, Presented: fingerprint}
	}
	return false, nil
}

// validName reports whether name can be a peer's name in the file: one
// field, not a comment.
func validName(name string) bool {
	return name != "" && !strings.ContainsAny(name, "#") && len(strings.Fields(name)) == 1 && strings.TrimSpace(name) == name
}

// lookup returns the fingerprint on record for name, or "".
func (k KnownPeers) lookup(name string) (string, error) {
	f, err := os.Open(k.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the known peers: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 || fields[1] != "sha-256" {
			return "", fmt.Errorf("%s, line %d: want NAME sha-256 FINGERPRINT", k.Path, n)
		}
		if fields[0] == name {
			return fields[2], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading the known peers: %w", err)
	}
	return "", nil
}

// add records name's fingerprint, in a file only this user may read: it
// says whom the user calls.
func (k KnownPeers) add(name, fingerprint string) error {
	if err := os.MkdirAll(filepath.Dir(k.Path), 0o700); err != nil {
		return fmt.Errorf("recording the peer: %w", err)
	}
	f, err := private.Append(k.Path)
	if err != nil {
		return fmt.Errorf("recording the peer: %w", err)
	}
	_, err = fmt.Fprintf(f, "%s sha-256 %s %s\n", name, fingerprint, time.Now().UTC().Format(time.RFC3339))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("recording the peer in %s: %w", k.Path, err)
	}
	return nil
}
