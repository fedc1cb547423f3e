package compiler

import (
	"fmt"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// certificateEntities are the certificate profile types, in the order the
// mapping reference prints them, with the payload each becomes.
var certificateEntities = []struct{ odataType, payload string }{
	{graphjson.ScepType, scepPayloadType},
	{graphjson.TrustedRootType, rootPayloadType},
	{graphjson.PkcsType, ""},
}

// CertificateMapping returns the mapping table of every certificate
// profile type joined with the Graph model and Apple's schema; Entity names
// the type, and Apple keys are relative to the payload it becomes.
func CertificateMapping() []MappingRow {
	var rows []MappingRow
	for _, e := range certificateEntities {
		byGraph := map[string]Rule{}
		for _, r := range certTable(e.odataType) {
			byGraph[r.Graph] = r.Rule
		}
		entity := strings.TrimPrefix(e.odataType, "microsoft.graph.")
		for _, p := range graphjson.CertificateProperties(e.odataType) {
			r := byGraph[p.Path]
			row := MappingRow{Entity: entity, Payload: e.payload, Graph: p.Path, GraphType: p.Type, DeclaredOn: p.DeclaredOn, Fate: r.Fate, Conversion: r.Conversion, Note: r.Note, Evidence: r.Evidence}
			for _, k := range r.Apple {
				row.Apple = append(row.Apple, AppleKey{Key: k, MinOS: minIOSIn(e.payload, k)})
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// minIOSIn looks up the iOS version a key of a certificate payload needs;
// the keys every payload has are in CommonPayloadKeys.
func minIOSIn(payload, key string) string {
	for _, p := range []string{payload, "CommonPayloadKeys"} {
		if _, sup, ok := appleschema.Find(p, strings.TrimSuffix(key, "[]")); ok {
			return sup.Introduced
		}
	}
	return "?"
}

// writeCertificateMappingMarkdown appends the certificate profiles'
// sections to docs/MAPPING.md.
func writeCertificateMappingMarkdown(b *strings.Builder) {
	b.WriteString("\n## Certificate profiles\n\n")
	b.WriteString("Certificate authentication rests on two more Intune objects, which `compile` and `batch` read from\n")
	b.WriteString("exports given with `--with FILE` (repeatable), or from the VPN entity itself when its relationships were\n")
	b.WriteString("expanded inline:\n\n")
	b.WriteString("- `identityCertificate`, declared on `iosVpnConfiguration` (type `iosCertificateProfileBase`): an\n")
	b.WriteString("  `iosScepCertificateProfile` or an `iosPkcsCertificateProfile`. Because the relationship is declared on a\n")
	b.WriteString("  derived type, `$expand` needs a type-cast segment:\n")
	b.WriteString("  `GET /beta/deviceManagement/deviceConfigurations/{id}?$expand=microsoft.graph.iosVpnConfiguration/identityCertificate`.\n")
	b.WriteString("  The profile then appears inline as `\"identityCertificate\": {\"@odata.type\": \"#microsoft.graph.iosScepCertificateProfile\", …}`,\n")
	b.WriteString("  next to an `identityCertificate@odata.context` annotation; `null` means no profile is linked.\n")
	b.WriteString("- `rootCertificate`, declared on `iosScepCertificateProfile` (type `iosTrustedRootCertificate`): the CA the\n")
	b.WriteString("  device trusts. A nested expansion (`…/identityCertificate($expand=microsoft.graph.iosScepCertificateProfile/rootCertificate)`)\n")
	b.WriteString("  may not be honoured by the service, so graph2mobileconfig never depends on it: give the trusted certificate\n")
	b.WriteString("  profile's own export with `--with` (an expanded `rootCertificate` inside a SCEP export is read too).\n\n")
	b.WriteString("A plain `GET` of either entity carries no relationship at all. Among exports given on their own, one SCEP or PKCS\n")
	b.WriteString("profile may be given (an export does not say which one the VPN links); an expanded `identityCertificate` is\n")
	b.WriteString("always the VPN's. The payloads are placed before the VPN payload: trusted roots, then the SCEP identity,\n")
	b.WriteString("whose `PayloadUUID` the VPN's `IKEv2.PayloadCertificateUUID` references. Payload identifiers are\n")
	b.WriteString("`<VPN PayloadIdentifier>.scep.<Graph id>` and `….root.<Graph id>`, and every `PayloadUUID` is the UUIDv5 of its\n")
	b.WriteString("identifier, so they stay the same across compilations and renames.\n\n")
	b.WriteString("Apple's SCEP payload makes RSA keys only (`Key Type` is always `RSA`, and Graph has no key-algorithm setting):\n")
	b.WriteString("with a SCEP identity, an `ecdsa*` `serverCertificateType` (`IKEv2.CertificateType`) is an error. When\n")
	b.WriteString("`localIdentifier` is `clientCertificateSubjectName`, `IKEv2.LocalIdentifier` is the common name the SCEP subject asks\n")
	b.WriteString("for (with its variables). Wire shapes: enums are strings; `keyUsage` and `subjectAlternativeNameType` are flag enums\n")
	b.WriteString("whose members are joined with commas (`\"keyEncipherment,digitalSignature\"`); `trustedRootCertificate` is\n")
	b.WriteString("`Edm.Binary`, base64 text. Sources: the Graph beta metadata type mappings (msgraph-metadata\n")
	b.WriteString("`schemas/type-mappings/beta-*.json`), the beta resource and enum pages of microsoft-graph-docs-contrib\n")
	b.WriteString("(`intune-deviceconfig-iosscepcertificateprofile.md` and the pages it links) and the beta Go SDK's models\n")
	b.WriteString("(msgraph-beta-sdk-go `models/ios_scep_certificate_profile.go`, `key_usages.go`, `subject_alternative_name_type.go`, …).\n")
	for _, e := range certificateEntities {
		entity := strings.TrimPrefix(e.odataType, "microsoft.graph.")
		if e.payload != "" {
			fmt.Fprintf(b, "\n### `%s` → `%s`\n\n", entity, e.payload)
			fmt.Fprintf(b, "Apple keys are relative to the `%s` payload.\n\n", e.payload)
		} else {
			fmt.Fprintf(b, "\n### `%s` → error\n\n", entity)
			b.WriteString("A PKCS identity cannot be compiled: Intune's certificate connector requests the certificate from a Microsoft CA\n")
			b.WriteString("and delivers it to each device as a PFX, which nothing in the export reproduces offline. The compilation fails with\n")
			b.WriteString("an error that names the alternatives: `--identity FILE.p12`, a SCEP profile, or an ACME payload of the MDM\n")
			b.WriteString("(`--identity-uuid UUID`).\n\n")
		}
		writeMappingTable(b, filterEntity(CertificateMapping(), entity))
		if e.odataType == graphjson.ScepType {
			b.WriteString("\nKeys of the SCEP payload that no Graph property sets:\n\n")
			b.WriteString("| Apple key (min iOS) | Value |\n|---|---|\n")
			for _, k := range scepExtraKeys {
				fmt.Fprintf(b, "| `%s` (%s) | %s |\n", k.Key, minIOSIn(scepPayloadType, k.Key), mdEscape(k.Source))
			}
		}
	}
	b.WriteString("\n### Enums of the certificate profiles\n\n")
	b.WriteString("| Enum | Members (CSDL value) | Flags |\n|---|---|---|\n")
	for _, e := range []struct{ name, members, flags string }{
		{"appleSubjectNameFormat", "commonName (0), commonNameAsEmail (1), custom (2), commonNameIncludingEmail (3), commonNameAsIMEI (5), commonNameAsSerialNumber (6)", "no"},
		{"subjectAlternativeNameType", "none (0), emailAddress (1), userPrincipalName (2), customAzureADAttribute (4), domainNameService (8), universalResourceIdentifier (16)", "yes"},
		{"keyUsages", "keyEncipherment (1), digitalSignature (2)", "yes"},
		{"keySize", "size1024 (0), size2048 (1), size4096 (2)", "no"},
		{"certificateValidityPeriodScale", "days (0), months (1), years (2)", "no"},
		{"certificateStore", "user (1), machine (2)", "no"},
	} {
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", e.name, e.members, e.flags)
	}
}

func filterEntity(rows []MappingRow, entity string) []MappingRow {
	var out []MappingRow
	for _, r := range rows {
		if r.Entity == entity {
			out = append(out, r)
		}
	}
	return out
}

// writeMappingTable writes rows as the Markdown table of docs/MAPPING.md.
func writeMappingTable(b *strings.Builder, rows []MappingRow) {
	b.WriteString("| Graph property | Graph type | Fate | Apple key (min iOS) | Conversion | Notes | Evidence |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		var keys []string
		for _, k := range r.Apple {
			keys = append(keys, fmt.Sprintf("`%s` (%s)", k.Key, k.MinOS))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n",
			r.Graph, mdEscape(r.GraphType), r.Fate, strings.Join(keys, "<br>"), mdEscape(r.Conversion), mdEscape(r.Note), r.Evidence)
	}
}
