package plistout_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

// FuzzDecode reads arbitrary bytes as a property list: it must never panic,
// and whatever it accepts must encode again and decode to the same value.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../fixtures/*/expected.mobileconfig", "../testdata/lint/*.mobileconfig", "../testdata/real-profiles/*.mobileconfig", "../testdata/real-profiles/signed/*.unsigned.mobileconfig"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("bplist00\xd1\x01\x02QaQb\x08\x0b\x0d\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := plistout.Decode(data)
		if err != nil {
			return
		}
		out, err := plistout.Encode(m, plistout.Binary)
		if err != nil {
			return // e.g. values howett decodes but cannot write back
		}
		m2, _, err := plistout.Decode(out)
		if err != nil {
			t.Fatalf("our own binary output does not decode: %v", err)
		}
		out2, err := plistout.Encode(m2, plistout.Binary)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("re-encoding is not stable")
		}
	})
}
