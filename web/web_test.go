package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		path string
		want int
	}{
		{"/", http.StatusOK},
		{"/other", http.StatusNotFound},
	}
	for _, tt := range tests {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("GET %s: status %d, want %d", tt.path, res.StatusCode, tt.want)
		}
		if tt.want == http.StatusOK && !bytes.Equal(body, Page()) {
			t.Errorf("GET %s: body is not the page", tt.path)
		}
	}
}

// TestSelfContained checks that the page loads nothing from elsewhere: it
// must work offline and opened from disk.
func TestSelfContained(t *testing.T) {
	p := Page()
	for _, re := range []string{`(?i)<script[^>]+src=`, `(?i)<link[^>]+href=`, `(?i)@import`, `(?i)url\(\s*["']?https?:`} {
		if loc := regexp.MustCompile(re).FindIndex(p); loc != nil {
			t.Errorf("the page loads something from elsewhere: %q", p[loc[0]:min(loc[1]+40, len(p))])
		}
	}
	var buf bytes.Buffer
	if err := WriteTo(&buf); err != nil || !bytes.Equal(buf.Bytes(), p) {
		t.Errorf("WriteTo wrote %d bytes, err %v; want the page", buf.Len(), err)
	}
}
