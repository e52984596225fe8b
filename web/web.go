package web

import (
	_ "embed"
	"io"
	"net/http"
)

//go:embed page.html
var page []byte

// Page returns the call page, a complete HTML document.
func Page() []byte {
	return append([]byte(nil), page...)
}

// WriteTo writes the call page to w, to be saved as a file that works when
// opened from disk.
func WriteTo(w io.Writer) error {
	_, err := w.Write(page)
	return err
}

// Handler serves the call page at "/" and nothing else.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// Everything the page uses is inline: nothing else may load.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; media-src blob: mediastream:; img-src data: blob:")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(page)
	})
	return mux
}
