package offline

import "testing"

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"nothing", "", ""},
		{"bare code", "pg1o.abc-_", "pg1o.abc-_"},
		{"surrounding whitespace", " \t pg1o.abc \r\n", "pg1o.abc"},
		{"wrapped", "pg1o.ab\ncd\r\nef\n", "pg1o.abcdef"},
		{"spaces inside", "pg1o.ab cd\u00a0ef", "pg1o.abcdef"},
		{"invisible characters", "\ufeffpg1o.ab\u200bcd\u00adef\u2060", "pg1o.abcdef"},
		{"double quotes", `"pg1o.abc"`, "pg1o.abc"},
		{"single quotes", `'pg1o.abc'`, "pg1o.abc"},
		{"typographic quotes", "“pg1o.abc”", "pg1o.abc"},
		{"guillemets", "« pg1o.abc »", "pg1o.abc"},
		{"quotes around a wrapped code", "\"pg1o.ab\ncd\"", "pg1o.abcd"},
		{"inline code", "`pg1o.abc`", "pg1o.abc"},
		{"code fence", "```\npg1o.abc\n```\n", "pg1o.abc"},
		{"code fence with info string", "```text\npg1o.ab\ncd\n```", "pg1o.abcd"},
		{"fence info that looks like pg", "```pgsql\npg1o.abc\n```", "pg1o.abc"},
		{"tilde fence", "~~~\npg1o.abc\n~~~", "pg1o.abc"},
		{"code on the fence line", "```pg1o.abc```", "pg1o.abc"},
		{"quote marker", "> pg1o.abc", "pg1o.abc"},
		{"quote markers on every line", "> pg1o.ab\n> cd\n>\n", "pg1o.abcd"},
		{"nested quote markers", "> > pg1o.abc", "pg1o.abc"},
		{"quoted fence", "> ```\n> pg1o.abc\n> ```", "pg1o.abc"},
		{"standard base64 kept", "pg1o.a+b/c==", "pg1o.a+b/c=="},
		{"other text kept", "hello there", "hellothere"},
		{"quote marker inside quotes", "\"> pg1o.abc\"", "pg1o.abc"},
		{"quoted tildes", "\"~~~\"", ""},
		{"tildes split over lines", "~\n~~", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Clean(Clean(tt.in)); got != tt.want {
				t.Errorf("Clean is not idempotent on %q: %q", tt.in, got)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	f.Add("> ```text\n> \"pg1o.ab\n> cd\"\n> ```\n")
	f.Add("\"~~~\"")
	f.Add("“> `pg1o.abc`”")
	f.Fuzz(func(t *testing.T, text string) {
		once := Clean(text)
		if twice := Clean(once); twice != once {
			t.Fatalf("Clean(%q) = %q, but cleaning that again gives %q", text, once, twice)
		}
	})
}
