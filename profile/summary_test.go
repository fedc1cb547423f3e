package profile

import "testing"

func TestSCEPFormatting(t *testing.T) {
	usage := []struct {
		in   any
		want string
	}{
		{nil, NotSet},
		{uint64(0), "0 (none (device default))"},
		{uint64(1), "1 (signing)"},
		{uint64(4), "4 (encryption)"},
		{uint64(5), "5 (signing, encryption)"},
		{uint64(13), "13 (signing, encryption, unknown bits)"},
		{"5", "5"}, // a string is shown as written, without bit names
	}
	for _, c := range usage {
		if got := scepKeyUsage(c.in); got != c.want {
			t.Errorf("scepKeyUsage(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
	pair := func(k, v string) []any { return []any{k, v} }
	subjects := []struct {
		in   any
		want string
	}{
		{nil, NotSet},
		{[]any{[]any{pair("C", "US")}, []any{pair("O", "Contoso"), pair("OU", "VPN")}, []any{pair("2.5.4.3", "dev")}}, "C=US, O=Contoso+OU=VPN, 2.5.4.3=dev"},
		// A malformed subject is shown as written, not half-parsed.
		{[]any{[]any{[]any{"CN"}}}, `[[[CN]]]`},
	}
	for _, c := range subjects {
		if got := scepSubject(c.in); got != c.want {
			t.Errorf("scepSubject(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestBeyondGraphSummary(t *testing.T) {
	tunnel := Dict{
		"EnforceStrictAlgorithmSelection":     uint64(1),
		"AllowPostQuantumKeyExchangeFallback": uint64(1),
		"IKESecurityAssociationParameters":    map[string]any{"PostQuantumKeyExchangeMethods": []any{uint64(36), uint64(37)}},
		"ChildSecurityAssociationParameters":  map[string]any{"DiffieHellmanGroup": uint64(19)},
		"RemoteAddress":                       "vpn.example.com",
	}
	got := beyondGraph(tunnel)
	want := []string{
		"EnforceStrictAlgorithmSelection 1",
		"IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods [36, 37]",
		"AllowPostQuantumKeyExchangeFallback 1",
	}
	if len(got) != len(want) {
		t.Fatalf("beyondGraph = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("beyondGraph[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if got := beyondGraph(Dict{"RemoteAddress": "x"}); len(got) != 0 {
		t.Errorf("a tunnel without such keys: %q", got)
	}
}
