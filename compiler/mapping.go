package compiler

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// MappingRow is one row of the printed mapping reference: a Graph property,
// what it becomes, and the iOS version each Apple key needs.
type MappingRow struct {
	// Entity is the Graph type the property belongs to: iosikEv2VpnConfiguration
	// or one of the certificate profiles (see CertificateMapping).
	Entity string `json:"entity"`
	// Payload is the Apple payload type the Apple keys are relative to.
	Payload string `json:"payload,omitempty"`
	// Graph is the Graph property; empty for a row beyond the Graph model.
	Graph string `json:"graph"`
	// Option names the command-line option and the compiler option of a
	// row beyond the Graph model.
	Option     string     `json:"option,omitempty"`
	GraphType  string     `json:"graphType"`
	DeclaredOn string     `json:"declaredOn"`
	Fate       Fate       `json:"fate"`
	Apple      []AppleKey `json:"apple,omitempty"`
	Conversion string     `json:"conversion,omitempty"`
	Note       string     `json:"note,omitempty"`
	Evidence   Evidence   `json:"evidence,omitempty"`
}

// AppleKey is an Apple key a Graph property maps to, with the first iOS
// version that supports it according to Apple's schema.
type AppleKey struct {
	Key   string `json:"key"`
	MinOS string `json:"minIOS"`
}

// Mapping returns the mapping table joined with the Graph model and Apple's
// schema, in the order of the Graph model.
func Mapping() []MappingRow {
	byGraph := rulesByGraph()
	var rows []MappingRow
	for _, p := range graphjson.Properties() {
		r := byGraph[p.Path]
		row := MappingRow{Entity: "iosikEv2VpnConfiguration", Payload: vpnPayloadType, Graph: p.Path, GraphType: p.Type, DeclaredOn: p.DeclaredOn, Fate: r.Fate, Conversion: r.Conversion, Note: r.Note, Evidence: r.Evidence}
		for _, k := range r.Apple {
			row.Apple = append(row.Apple, AppleKey{Key: k, MinOS: minIOS(k)})
		}
		rows = append(rows, row)
	}
	return rows
}

// minIOS looks up the iOS version a key needs; "Profile." keys are keys of
// the outer profile dictionary.
func minIOS(key string) string {
	payload, path := vpnPayloadType, key
	if rest, ok := strings.CutPrefix(key, "Profile."); ok {
		payload, path = "TopLevel", rest
	}
	_, sup, ok := appleschema.Find(payload, strings.TrimSuffix(path, "[]"))
	if !ok {
		return "?"
	}
	return sup.Introduced
}

// vpnEntity is the Graph type of the VPN's rows.
const vpnEntity = "iosikEv2VpnConfiguration"

// BeyondGraph is the fate of Apple keys that the compiler writes from its
// options, because Graph's model cannot express them yet.
const BeyondGraph Fate = "beyond Graph"

// BeyondGraphMapping returns the rows of the Apple keys written from
// Options.Algorithms: settings Intune cannot express yet. Their Fate is
// BeyondGraph and Graph is empty.
func BeyondGraphMapping() []MappingRow {
	key := func(k string) AppleKey { return AppleKey{Key: k, MinOS: minIOS(k)} }
	return []MappingRow{
		{Entity: vpnEntity, Payload: vpnPayloadType, Option: "--strict-algorithms (Options.Algorithms.StrictSelection)", Fate: BeyondGraph, Evidence: EvidenceDocs,
			Apple:      []AppleKey{key("IKEv2." + strictSelectionKey)},
			Conversion: "flag → EnforceStrictAlgorithmSelection 1",
			Note: "The device then refuses DES, 3DES, Diffie-Hellman groups below 14 and an IKE SA cipher weaker than the child SA cipher (Apple's schema), so the compiler refuses such an export instead. " +
				"Cipher strength is ranked DES < 3DES < AES-128 = AES-128-GCM < AES-256 = AES-256-GCM = ChaCha20Poly1305 (security bits; Apple does not publish its order). An error for a target before iOS 18.5."},
		{Entity: vpnEntity, Payload: vpnPayloadType, Option: "--post-quantum mlkem768|mlkem1024[,...] (Options.Algorithms.PostQuantum)", Fate: BeyondGraph, Evidence: EvidenceDocs,
			Apple:      []AppleKey{key("IKEv2." + ikeSAKey + "." + pqMethodsKey), key("IKEv2." + childSAKey + "." + pqMethodsKey)},
			Conversion: "mlkem768 → 36, mlkem1024 → 37 (IANA key exchange transform IDs), in the order given, into both security-association dictionaries",
			Note: "The list is the additional key exchanges ADDKE1 to ADDKE7 of RFC 9370 (at most seven): each is performed after the previous one, on top of the Diffie-Hellman exchange; they are not alternatives. " +
				"When the export has no childSecurityAssociationParameters, a child dictionary carrying the IKE SA's values is written, since the child SA would otherwise use the IKE values. An error for a target before iOS 26.0."},
		{Entity: vpnEntity, Payload: vpnPayloadType, Option: "--post-quantum-fallback (Options.Algorithms.PostQuantumFallback)", Fate: BeyondGraph, Evidence: EvidenceDocs,
			Apple:      []AppleKey{key("IKEv2." + pqFallbackKey)},
			Conversion: "flag → AllowPostQuantumKeyExchangeFallback 1",
			Note:       "Lets the device connect without the post-quantum exchanges when the server does not offer them (0, Apple's default, refuses the connection). Needs --post-quantum; an error for a target before iOS 26.0."},
	}
}

// WriteMappingJSON writes the mapping reference as a JSON array: the VPN's
// rows (Mapping, then BeyondGraphMapping), then the certificate profiles'
// (CertificateMapping).
func WriteMappingJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	rows := append(Mapping(), BeyondGraphMapping()...)
	return enc.Encode(append(rows, CertificateMapping()...))
}

// WriteMappingMarkdown writes the mapping reference as the Markdown document
// docs/MAPPING.md.
func WriteMappingMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# Mapping reference: Graph `iosikEv2VpnConfiguration` → Apple `com.apple.vpn.managed`\n\n")
	b.WriteString("<!-- Generated by `graph2mobileconfig mapping` from the compiler's mapping table; do not edit.\n")
	b.WriteString("     A test fails when this file is stale: regenerate it with `go test ./compiler -update`. -->\n\n")
	b.WriteString("This table is the compiler's own mapping table, printed. Every one of the 64 properties of the Graph beta\n")
	b.WriteString("type, and every member of its complex types, is either carried to the Apple keys named here or ignored\n")
	b.WriteString("for the reason given. Apple keys are relative to the `com.apple.vpn.managed` payload (`Profile.` keys\n")
	b.WriteString("belong to the outer profile dictionary); the minimum iOS version of each key comes from Apple's schema\n")
	rel := appleschema.SchemaRelease()
	b.WriteString(fmt.Sprintf("(github.com/apple/device-management at `%s`, the iOS %s%s; the newest released iOS it describes, %s, is the default\n",
		rel.Commit[:7], rel.IOS, map[bool]string{true: " beta seed", false: " release"}[rel.Seed], rel.NewestReleasedIOS))
	b.WriteString("`--target`). Keys that a target iOS version does not know are left out with a warning; values a target refuses\n")
	b.WriteString("are errors.\n\n")
	b.WriteString("**Evidence**: *documented* — Microsoft's or Apple's documentation states it; *same setting* — the Graph\n")
	b.WriteString("description and Apple's key describe the same knob; *informed reading* — no public source shows what\n")
	b.WriteString("Intune itself emits, and this is our reading of both schemas.\n\n")
	counts := map[Fate]int{}
	for _, r := range Mapping() {
		if !strings.ContainsAny(r.Graph, ".[") {
			counts[r.Fate]++
		}
	}
	b.WriteString(fmt.Sprintf("Top-level properties: %d mapped, %d conditional, %d ignored, %d metadata, %d targeting.\n\n",
		counts[Mapped], counts[Conditional], counts[Ignored], counts[Metadata], counts[Targeting]))
	b.WriteString("| Graph property | Graph type | Fate | Apple key (min iOS) | Conversion | Notes | Evidence |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range Mapping() {
		var keys []string
		for _, k := range r.Apple {
			keys = append(keys, fmt.Sprintf("`%s` (%s)", k.Key, k.MinOS))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n",
			r.Graph, mdEscape(r.GraphType), r.Fate, strings.Join(keys, "<br>"), mdEscape(r.Conversion), mdEscape(r.Note), r.Evidence)
	}
	b.WriteString("\n## Beyond the Graph model\n\n")
	b.WriteString("Apple's schema has IKEv2 settings that Graph's model cannot express yet. The compiler writes them only when an\n")
	b.WriteString("option asks for them, and only for a `--target` that knows them; `graph2mobileconfig mapping --json` gives them the fate *beyond Graph*.\n\n")
	b.WriteString("| Option | Apple key (min iOS) | Conversion | Notes |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, r := range BeyondGraphMapping() {
		var keys []string
		for _, k := range r.Apple {
			keys = append(keys, fmt.Sprintf("`%s` (%s)", k.Key, k.MinOS))
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.Option, strings.Join(keys, "<br>"), mdEscape(r.Conversion), mdEscape(r.Note))
	}
	b.WriteString("\n## Values limited by iOS version\n\n")
	b.WriteString("Some values are limited by iOS version in Apple's prose, or only by which copy of the schema lists them; the\n")
	b.WriteString("compiler and `lint` apply these limits (`compiler/appleschema/limits.go`):\n\n")
	b.WriteString("| Apple key | Values | From iOS | Until iOS (refused from) | Source |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, l := range appleschema.ValueLimits() {
		var vals []string
		for _, v := range l.Values {
			vals = append(vals, fmt.Sprint(v))
		}
		from := l.Introduced
		if from != "" && !l.Exact {
			from += " (first copy that lists it; exact version unknown)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", l.Path, strings.Join(vals, ", "), from, l.Removed, mdEscape(l.Source))
	}
	b.WriteString("\n## Always On\n\n")
	b.WriteString("Apple's published schema lists only `ProtocolType` and `Interfaces` inside `AlwaysOn.TunnelConfigurations`.\n")
	b.WriteString("Placing the IKEv2 keys of the tunnel in that same dictionary follows Apple's older prose reference\n")
	b.WriteString("(the Configuration Profile Reference), and is an informed reading rather than the YAML schema. The service\n")
	b.WriteString("exceptions, captive network settings and `UIToggleEnabled` follow the YAML schema. Settings that mean nothing for an\n")
	b.WriteString("always-connected tunnel (`disableOnDemandUserOverride`, `disconnectOnIdle`, `includeAllNetworks`, `enableSplitTunneling`,\n")
	b.WriteString("`onDemandRules`) are left out with a warning, and a Diffie-Hellman group below 14 is an error from iOS 14.2.\n")
	b.WriteString("\n## Split tunnelling and full tunnelling\n\n")
	b.WriteString("Intune's `enableSplitTunneling: false` is written as `IPv4.OverridePrimary 1`, as Apple Configurator and common\n")
	b.WriteString("IKEv2 profile generators do. Apple documents that key for Cisco IPsec and L2TP only: for IKEv2, whether all traffic\n")
	b.WriteString("goes through the tunnel is decided by the traffic selectors the server sends (0.0.0.0/0 and ::/0 for everything)\n")
	b.WriteString("or by `includeAllNetworks` (`IKEv2.IncludeAllNetworks`), and the compiler warns about it.\n")
	writeCertificateMappingMarkdown(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
