package web

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
)

// files are the page and what it inlines: its own scripts and the vendored
// QR libraries (vendor/README.md).
//
//go:embed page.html page.js codes.js vendor/*.js
var files embed.FS

// scriptMarker marks where the page inlines a script: the line
// <!-- script: NAME -->.
var scriptMarker = regexp.MustCompile(`<!-- script: ([^ ]+) -->`)

// page returns the assembled page, built the first time it is asked for
// (a call that serves no page does not hold one): one HTML file with every
// script inline, so that it works opened from disk.
var page = sync.OnceValue(mustAssemble)

// assemble inlines each script the page names into a <script> element.
func assemble() ([]byte, error) {
	html, err := files.ReadFile("page.html")
	if err != nil {
		return nil, err
	}
	var failed error
	out := scriptMarker.ReplaceAllFunc(html, func(marker []byte) []byte {
		name := string(scriptMarker.FindSubmatch(marker)[1])
		js, err := files.ReadFile(name)
		if err != nil {
			failed = err
			return nil
		}
		// The HTML parser ends a script at the first "</script", whatever
		// the JavaScript around it says.
		if bytes.Contains(bytes.ToLower(js), []byte("</script")) {
			failed = fmt.Errorf("%s holds </script", name)
		}
		return append(append([]byte("<script>\n"), js...), "</script>"...)
	})
	return out, failed
}

func mustAssemble() []byte {
	p, err := assemble()
	if err != nil {
		panic("web: assembling the call page: " + err.Error()) // the embedded files are fixed at build time
	}
	return p
}

// Page returns the call page, a complete HTML document.
func Page() []byte {
	return append([]byte(nil), page()...)
}

// WriteTo writes the call page to w, to be saved as a file that works when
// opened from disk.
func WriteTo(w io.Writer) error {
	_, err := w.Write(page())
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
		_, _ = w.Write(page())
	})
	return mux
}
