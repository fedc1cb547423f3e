package sceptest_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/internal/sceptest"

	// -update must be defined here too: "go test ./... -update".
	_ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
)

// TestEnrollFromPayload enrolls with a hand-written PayloadContent, so the
// helper is checked apart from the compiler.
func TestEnrollFromPayload(t *testing.T) {
	srv := sceptest.Start(t, "open-sesame")
	content := map[string]any{
		"URL": srv.URL, "Challenge": "open-sesame", "Keysize": int64(2048), "Key Usage": int64(4),
		"Subject":        []any{[]any{[]any{"O", "Example"}}, []any{[]any{"CN", "device-1"}}},
		"SubjectAltName": map[string]any{"dNSName": "device-1.example", "rfc822Name": []any{"a@example.com", "b@example.com"}},
	}
	p, err := sceptest.ParsePayload(content)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	enr, err := sceptest.Enroll(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	c := enr.Certificate
	if c.Subject.String() != "CN=device-1,O=Example" || strings.Join(c.DNSNames, " ") != "device-1.example" || strings.Join(c.EmailAddresses, " ") != "a@example.com b@example.com" {
		t.Errorf("certificate %s %v %v", c.Subject, c.DNSNames, c.EmailAddresses)
	}
	if c.KeyUsage != x509.KeyUsageKeyEncipherment || c.CheckSignatureFrom(srv.CA) != nil || len(srv.Issued()) != 1 {
		t.Errorf("key usage %v, issued %d", c.KeyUsage, len(srv.Issued()))
	}

	for _, bad := range []map[string]any{
		{},
		{"URL": srv.URL, "Key Type": "EC"},
		{"URL": srv.URL, "Keysize": "big"},
		{"URL": srv.URL, "Subject": []any{[]any{[]any{"CN"}}}},
		{"URL": srv.URL, "SubjectAltName": map[string]any{"dNSName": 3}},
	} {
		if _, err := sceptest.ParsePayload(bad); err == nil {
			t.Errorf("ParsePayload(%v) accepted", bad)
		}
	}
}
