package trust

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fingerprint(t *testing.T, path string) string {
	t.Helper()
	cert, _, err := LoadIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	fps, err := cert.GetFingerprints()
	if err != nil {
		t.Fatal(err)
	}
	return fps[0].Value
}

func TestLoadIdentity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "identity.pem")
	cert, created, err := LoadIdentity(path)
	if err != nil || !created {
		t.Fatalf("first use: created %v, %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("the identity file has permissions %o, want 600", perm)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Errorf("the directory made for it has permissions %o, want 700", dir.Mode().Perm())
	}
	again, created, err := LoadIdentity(path)
	if err != nil || created {
		t.Fatalf("second use: created %v, %v", created, err)
	}
	if !cert.Equals(again) {
		t.Error("the identity read back is another certificate")
	}
	if left := time.Until(cert.Expires()); left < 19*365*24*time.Hour {
		t.Errorf("the identity expires in %v, want about 20 years", left)
	}
	other := fingerprint(t, filepath.Join(t.TempDir(), "other.pem"))
	if other == fingerprint(t, path) {
		t.Error("two identities have one fingerprint")
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadIdentity(path); !errors.Is(err, ErrIdentityPermissions) {
		t.Errorf("a file others may read: %v, want ErrIdentityPermissions", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadIdentity(garbage); err == nil || !strings.Contains(err.Error(), "not a certificate") {
		t.Errorf("a file of garbage: %v", err)
	}
}

func TestKnownPeers(t *testing.T) {
	k := KnownPeers{Path: filepath.Join(t.TempDir(), "pigeon", "known_peers")}
	const alice, mallory = "AB:CD:EF", "01:02:03"
	first, err := k.Check("alice", alice)
	if err != nil || !first {
		t.Fatalf("first call: first %v, %v", first, err)
	}
	if info, err := os.Stat(k.Path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the known-peers file: %v, %v; want permissions 600", info, err)
	}
	if first, err := k.Check("alice", strings.ToLower(alice)); err != nil || first {
		t.Fatalf("second call: first %v, %v", first, err)
	}
	before, _ := os.ReadFile(k.Path)
	_, err = k.Check("alice", mallory)
	var changed *PeerChangedError
	if !errors.As(err, &changed) || !errors.Is(err, ErrPeerChanged) || changed.Known != alice || changed.Presented != mallory {
		t.Fatalf("a changed certificate: %v", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "WARNING: alice's certificate has changed") || !strings.Contains(msg, k.Path) {
		t.Errorf("the warning %q does not say whose, or where the record is", msg)
	}
	if after, _ := os.ReadFile(k.Path); string(after) != string(before) {
		t.Error("a changed certificate was recorded")
	}
	if first, err := k.Check("bob", mallory); err != nil || !first {
		t.Fatalf("another peer: first %v, %v", first, err)
	}
	for _, name := range []string{"", "two words", "#x"} {
		if _, err := k.Check(name, alice); err == nil {
			t.Errorf("the name %q was taken", name)
		}
	}
	if err := os.WriteFile(k.Path, []byte("# a comment\n\nnonsense\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Check("alice", alice); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a damaged file: %v, want the line named", err)
	}
}

// FuzzKnownPeers reads any file as a known-peers file: an error or an
// answer, never a panic, and a name found is checked as recorded.
func FuzzKnownPeers(f *testing.F) {
	f.Add("alice sha-256 AB:CD 2026-01-01T00:00:00Z\n", "alice")
	f.Add("# c\n\nbob sha-256\n", "bob")
	f.Add("x y z\n", "x")
	f.Fuzz(func(t *testing.T, content, name string) {
		k := KnownPeers{Path: filepath.Join(t.TempDir(), "known_peers")}
		if err := os.WriteFile(k.Path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		known, err := k.lookup(name)
		if err != nil || known == "" || !validName(name) {
			return
		}
		if first, err := k.Check(name, known); err != nil || first {
			t.Fatalf("%q on record as %q: Check = %v, %v", name, known, first, err)
		}
	})
}
