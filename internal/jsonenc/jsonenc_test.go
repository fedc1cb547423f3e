package jsonenc_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/jsonenc"
)

var tricky = []string{
	"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rret\bbs\fff",
	"\x00\x01\x1f\x7f", "caf\u00e9 \U0001F600", "sep\u2028para\u2029", "bad \xff utf8 \xc3", "\xed\xa0\x80 surrogate",
	"«redacted»", "$.onDemandRules[1].action",
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := append([]string(nil), tricky...)
	for range 2000 {
		b := make([]byte, rng.IntN(24))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := string(jsonenc.AppendString(nil, s)), marshal(t, s); got != want {
			t.Errorf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	}
}

func TestObjectMatchesEncodingJSON(t *testing.T) {
	type record struct {
		N     int    `json:"n"`
		S     string `json:"s"`
		Maybe string `json:"maybe,omitempty"`
	}
	for _, r := range []record{{1, "a<b", ""}, {-7, "", "x\u2028"}} {
		o := jsonenc.Start(nil)
		o.Int("n", r.N)
		o.String("s", r.S)
		o.StringOmitEmpty("maybe", r.Maybe)
		if got, want := string(o.End()), marshal(t, r); got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(jsonenc.AppendString(nil, s)), marshal(t, s); got != want {
			t.Fatalf("AppendString(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}
