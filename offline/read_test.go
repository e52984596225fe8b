package offline

import (
	"bufio"
	"encoding/base64"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestReadSignal(t *testing.T) {
	offer := mustEncode(t, Offer, offerMinimal)
	answer := mustEncode(t, Answer, answerMinimal)
	cut := len(offer) / 2

	tests := []struct {
		name     string
		in       string
		want     Kind
		wantSDP  string
		wantErr  error
		wantRest string // what must still be unread in the reader afterwards
	}{
		{name: "one line", in: offer + "\n", want: Offer, wantSDP: offerMinimal},
		{name: "no final newline", in: offer, want: Offer, wantSDP: offerMinimal},
		{name: "answer", in: answer + "\n", want: Answer, wantSDP: answerMinimal},
		{name: "wrapped at 64", in: wrap(offer, 64, "\n") + "\n", want: Offer, wantSDP: offerMinimal},
		{name: "wrapped at 76 with CRLF", in: wrap(offer, 76, "\r\n") + "\r\n", want: Offer, wantSDP: offerMinimal},
		{name: "wrapped after the prefix", in: offer[:3] + "\n" + offer[3:] + "\n", want: Offer, wantSDP: offerMinimal},
		{name: "blank lines before", in: "\n\r\n  \n" + offer + "\n", want: Offer, wantSDP: offerMinimal},
		{name: "blank lines inside", in: wrap(offer, 76, "\n\n") + "\n", want: Offer, wantSDP: offerMinimal},
		{name: "quotes", in: "\"" + offer + "\"\n", want: Offer, wantSDP: offerMinimal},
		{name: "quotes around wrapped lines", in: "\"" + wrap(offer, 64, "\n") + "\"\n", want: Offer, wantSDP: offerMinimal},
		{name: "backticks", in: "`" + offer + "`\n", want: Offer, wantSDP: offerMinimal},
		{name: "code fence", in: "```text\n" + wrap(offer, 76, "\n") + "\n```\n", want: Offer, wantSDP: offerMinimal, wantRest: "```\n"},
		{name: "quote markers", in: "> " + wrap(answer, 64, "\n> ") + "\n", want: Answer, wantSDP: answerMinimal},
		{name: "indented", in: "    " + wrap(answer, 64, "\n    ") + "\n", want: Answer, wantSDP: answerMinimal},
		{name: "chat after the code", in: offer + "\nhello there\nhow are you?\n", want: Offer, wantSDP: offerMinimal, wantRest: "hello there\nhow are you?\n"},
		{name: "chat after a wrapped code", in: wrap(offer, 64, "\n") + "\nhello\n", want: Offer, wantSDP: offerMinimal, wantRest: "hello\n"},
		{name: "second code after", in: offer + "\n" + answer + "\n", want: Offer, wantSDP: offerMinimal, wantRest: answer + "\n"},

		{name: "nothing", in: "", want: Offer, wantErr: ErrEmpty},
		{name: "only blank lines", in: "\n \n\r\n", want: Answer, wantErr: ErrEmpty},
		{name: "only fences", in: "```\n```\n", want: Answer, wantErr: ErrEmpty},
		{name: "cut", in: offer[:cut] + "\n", want: Offer, wantErr: ErrTruncated},
		{name: "cut without newline", in: offer[:cut], want: Offer, wantErr: ErrTruncated},
		{name: "last line missing", in: offer[:cut] + "\n\n", want: Offer, wantErr: ErrTruncated},
		{name: "chat before the code", in: "here it is:\n" + offer + "\n", want: Offer, wantErr: ErrCorrupt, wantRest: offer + "\n"},
		{name: "chat inside the code", in: offer[:cut] + "\nsorry, wrong window\n" + offer[cut:] + "\n", want: Offer, wantErr: ErrCorrupt, wantRest: offer[cut:] + "\n"},
		{name: "damaged", in: replaceAt(offer, cut) + "\n", want: Offer, wantErr: ErrCorrupt},
		{name: "newer version", in: "pg5o.abcd\nrest\n", want: Offer, wantErr: ErrUnsupportedVersion, wantRest: "rest\n"},
		{name: "answer for an offer", in: answer + "\n", want: Offer, wantErr: &WrongKindError{Want: Offer, Got: Answer}},
		{name: "offer for an answer", in: offer + "\n", want: Answer, wantErr: &WrongKindError{Want: Answer, Got: Offer}},
		{name: "cut offer for an answer", in: offer[:cut] + "\n", want: Answer, wantErr: &WrongKindError{Want: Answer, Got: Offer}},
		{name: "damaged offer for an answer", in: replaceAt(offer, cut) + "\n", want: Answer, wantErr: &WrongKindError{Want: Answer, Got: Offer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			got, err := ReadSignal(r, tt.want)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("ReadSignal: %v", err)
			case tt.wantErr == nil && (got.Kind != tt.want || got.SDP != tt.wantSDP):
				t.Fatalf("ReadSignal = %v %.40q, want %v %.40q", got.Kind, got.SDP, tt.want, tt.wantSDP)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr) && (err == nil || err.Error() != tt.wantErr.Error()):
				t.Fatalf("ReadSignal = %v %.20q, %v; want %v", got.Kind, got.SDP, err, tt.wantErr)
			case tt.wantErr != nil && !reflect.DeepEqual(got, Signal{}):
				t.Errorf("ReadSignal returned %+v with its error, want the zero Signal", got)
			}
			if rest, _ := io.ReadAll(r); string(rest) != tt.wantRest {
				t.Errorf("left unread %q, want %q", rest, tt.wantRest)
			}
		})
	}
}

func TestReadSignalWrongKindIsErrWrongKind(t *testing.T) {
	_, err := ReadSignal(bufio.NewReader(strings.NewReader(mustEncode(t, Answer, answerData))), Offer)
	var wrong *WrongKindError
	if !errors.As(err, &wrong) || !errors.Is(err, ErrWrongKind) || wrong.Want != Offer || wrong.Got != Answer {
		t.Fatalf("ReadSignal = %v, want a *WrongKindError{Offer, Answer} matching ErrWrongKind", err)
	}
}

func TestReadSignalDoesNotWaitForEOF(t *testing.T) {
	// The peer's end may be a terminal or a FIFO that stays open for chat:
	// ReadSignal must return once the code is complete, and leave what
	// comes after it for the caller to read from the same reader.
	offer := mustEncode(t, Offer, offerFull)
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })

	writes := make(chan error, 1)
	go func() {
		// Line by line, as a terminal in canonical mode delivers a paste.
		for line := range strings.Lines(wrap(offer, 76, "\n") + "\n") {
			if _, err := io.WriteString(pw, line); err != nil {
				writes <- err
				return
			}
		}
		writes <- nil
	}()

	r := bufio.NewReader(pr)
	type result struct {
		s   Signal
		err error
	}
	done := make(chan result, 1)
	go func() {
		s, err := ReadSignal(r, Offer)
		done <- result{s, err}
	}()

	select {
	case res := <-done:
		if res.err != nil || res.s.SDP != offerFull {
			t.Fatalf("ReadSignal = %.20q, %v; want the offer", res.s.SDP, res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadSignal did not return while the writer stayed open")
	}
	if err := <-writes; err != nil {
		t.Fatal(err)
	}

	// The reader is still usable for the chat that follows.
	go io.WriteString(pw, "hi!\n")
	line, err := r.ReadString('\n')
	if err != nil || line != "hi!\n" {
		t.Fatalf("reading after the code = %q, %v; want %q", line, err, "hi!\n")
	}
}

func TestReadSignalCapsInput(t *testing.T) {
	// Empty non-final stored DEFLATE blocks decompress to nothing and never
	// end the stream, so this input looks like the start of a code forever.
	emptyBlocks := base64.RawURLEncoding.EncodeToString([]byte("\x00\x00\x00\xff\xff\x00\x00\x00\xff\xff\x00\x00\x00\xff\xff"))
	// Long lines keep the test quick: ReadSignal decodes all it holds after
	// each line, so many short lines cost time quadratic in the cap.
	endless := "pg1o." + strings.Repeat(strings.Repeat(emptyBlocks, 200)+"\n", 1<<20/4000)

	tests := []struct {
		name string
		in   string
	}{
		{"one endless line", "pg1o." + strings.Repeat(emptyBlocks, 1<<20/20)},
		{"endless lines", endless},
		{"endless blank line", strings.Repeat(" ", 1<<20) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bufio.NewReader(strings.NewReader(tt.in))
			if _, err := ReadSignal(r, Offer); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("ReadSignal = %v, want ErrCorrupt", err)
			}
			if rest, _ := io.ReadAll(r); len(rest) == 0 {
				t.Error("ReadSignal read the whole input, want it to stop at the cap")
			}
		})
	}
}

func TestReadSignalReadError(t *testing.T) {
	errBroken := errors.New("broken pipe")
	offer := mustEncode(t, Offer, offerData)
	r := bufio.NewReader(io.MultiReader(strings.NewReader(offer[:100]+"\n"), iotest.ErrReader(errBroken)))
	if _, err := ReadSignal(r, Offer); !errors.Is(err, errBroken) {
		t.Fatalf("ReadSignal = %v, want it to wrap %v", err, errBroken)
	}
}

func TestReadSignalUnknownKind(t *testing.T) {
	r := bufio.NewReader(strings.NewReader(mustEncode(t, Offer, offerData)))
	if _, err := ReadSignal(r, 0); err == nil {
		t.Fatal("ReadSignal(want 0) succeeded, want an error")
	}
}
