package hostile

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"testing"
)

// The streams are what they claim to be for a reader that trusts them:
// archive/tar fills the sparse file's holes, and believes the header of
// the oversized one until the stream ends.
func TestStreamsFoolATrustingReader(t *testing.T) {
	stream := SparseTar("big", 64<<20)
	tr := tar.NewReader(bytes.NewReader(stream))
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, tr)
	if err != nil || hdr.Typeflag != tar.TypeReg || hdr.Name != "big" || n != 64<<20 {
		t.Errorf("the sparse stream of %d bytes reads as %q (type %c) of %d bytes (%v), want big, a regular file of 64 MiB",
			len(stream), hdr.Name, hdr.Typeflag, n, err)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("after the sparse file: %v, want the end", err)
	}

	tr = tar.NewReader(bytes.NewReader(OversizedTar("claims", 1<<30)))
	if hdr, err = tr.Next(); err != nil || hdr.Size != 1<<30 {
		t.Fatalf("the oversized header reads as %+v, %v", hdr, err)
	}
	if _, err := io.Copy(io.Discard, tr); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the oversized file: %v, want it cut short", err)
	}
}
