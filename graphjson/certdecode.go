package graphjson

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// The OData types of the certificate profiles this package decodes.
const (
	ScepType        = "microsoft.graph.iosScepCertificateProfile"
	PkcsType        = "microsoft.graph.iosPkcsCertificateProfile"
	TrustedRootType = "microsoft.graph.iosTrustedRootCertificate"
)

// modelRoots are the top-level types of the model: the entities an export
// holds. The decoder describes every struct reachable from them once.
var modelRoots = []reflect.Type{
	reflect.TypeFor[IosikEv2VpnConfiguration](),
	reflect.TypeFor[IosScepCertificateProfile](),
	reflect.TypeFor[IosPkcsCertificateProfile](),
	reflect.TypeFor[IosTrustedRootCertificate](),
}

// certificateTypes maps each certificate profile's OData type to a property
// only it has, used to recognise an object without "@odata.type".
var certificateTypes = []struct{ odataType, onlyProperty string }{
	{ScepType, "scepServerUrls"},
	{PkcsType, "certificationAuthority"},
	{TrustedRootType, "trustedRootCertificate"},
}

// CertificateProfile is one decoded Intune certificate profile for iOS.
// Exactly one of Scep, Pkcs and Root is set.
type CertificateProfile struct {
	// Path is the profile's JSON path: "$.identityCertificate" when it was
	// expanded in the VPN entity, "FILE:$" or "FILE:$.value[1]" for an
	// export given on its own (FILE names the document).
	Path string
	Scep *IosScepCertificateProfile
	Pkcs *IosPkcsCertificateProfile
	Root *IosTrustedRootCertificate
	// Expanded reports that the profile was expanded inline in the entity
	// that links it (the VPN's identityCertificate, a SCEP profile's
	// rootCertificate), so the link is certain.
	Expanded bool
}

// Type returns the profile's OData type without "#".
func (c *CertificateProfile) Type() string {
	switch {
	case c.Scep != nil:
		return ScepType
	case c.Pkcs != nil:
		return PkcsType
	case c.Root != nil:
		return TrustedRootType
	}
	return ""
}

// Device returns the deviceConfiguration properties of the profile.
func (c *CertificateProfile) Device() *DeviceConfiguration {
	switch {
	case c.Scep != nil:
		return &c.Scep.DeviceConfiguration
	case c.Pkcs != nil:
		return &c.Pkcs.DeviceConfiguration
	case c.Root != nil:
		return &c.Root.DeviceConfiguration
	}
	return &DeviceConfiguration{}
}

// ID returns the profile's Graph id, or "".
func (c *CertificateProfile) ID() string { return val(c.Device().ID) }

// DisplayName returns the profile's displayName, or "".
func (c *CertificateProfile) DisplayName() string { return val(c.Device().DisplayName) }

// Label names the profile for a message: its displayName and type.
func (c *CertificateProfile) Label() string {
	name := c.DisplayName()
	short := strings.TrimPrefix(c.Type(), "microsoft.graph.")
	if name == "" {
		return short + " " + c.Path
	}
	return fmt.Sprintf("%s %q", short, name)
}

// certificateType returns the certificate profile type of the item, or ""
// when it is not one: its "@odata.type" says so (in any letter case), or
// it has none and has a property only that type has.
func (it Item) certificateType() string {
	if it.Type != "" {
		for _, c := range certificateTypes {
			if strings.EqualFold(it.Type, c.odataType) {
				return c.odataType
			}
		}
		return ""
	}
	for _, c := range certificateTypes {
		if _, ok := it.Value.Get(c.onlyProperty); ok {
			return c.odataType
		}
	}
	return ""
}

// IsCertificateProfile reports whether the item is an iOS SCEP, PKCS or
// trusted-root certificate profile.
func (it Item) IsCertificateProfile() bool { return it.certificateType() != "" }

// DecodeCertificate decodes one certificate profile, and the trusted root a
// SCEP profile has expanded inline as its rootCertificate, if any. A
// profile whose diagnostics hold an error must not be used.
func DecodeCertificate(it Item) ([]CertificateProfile, diag.List) {
	var diags diag.List
	typ := it.certificateType()
	odataPath := JoinName(it.Path, "@odata.type")
	switch {
	case typ == "" && it.Type == "":
		diags.Errorf("missing-type", odataPath, "the object has no @odata.type and none of the properties that tell an iOS certificate profile (scepServerUrls, certificationAuthority, trustedRootCertificate); export it with its @odata.type")
		return nil, diags
	case typ == "":
		diags.Errorf("unsupported-type", odataPath, "%s is not an iOS certificate profile; expected %s, %s or %s", it.Type, ScepType, PkcsType, TrustedRootType)
		return nil, diags
	case it.Type == "":
		diags.Infof("assumed-type", odataPath, "the object has no @odata.type; its properties are those of %s, so it is read as one", typ)
	case it.Type != typ:
		diags.Warnf("type-case", odataPath, "@odata.type %q differs from %q only in letter case; read as %s", it.Type, typ, typ)
	}
	cp := CertificateProfile{Path: it.Path}
	var out any
	switch typ {
	case ScepType:
		cp.Scep = new(IosScepCertificateProfile)
		out = cp.Scep
	case PkcsType:
		cp.Pkcs = new(IosPkcsCertificateProfile)
		out = cp.Pkcs
	default:
		cp.Root = new(IosTrustedRootCertificate)
		out = cp.Root
	}
	diags = decodeEntity(it, out, typ, diags)
	diags = append(diags, checkCertificateValues(it.Path, reflect.ValueOf(out).Elem())...)
	all := []CertificateProfile{cp}
	if typ == ScepType {
		rel, d := expanded(it, "rootCertificate", TrustedRootType)
		all = append(all, rel...)
		diags = append(diags, d...)
	}
	return all, diags
}

// ExpandedCertificates returns the certificate profiles expanded inline in
// a VPN entity: its identityCertificate (requested with
// $expand=microsoft.graph.iosVpnConfiguration/identityCertificate) and,
// when the service honoured a nested expansion, that profile's
// rootCertificate. A relationship that was not expanded is simply absent.
func ExpandedCertificates(it Item) ([]CertificateProfile, diag.List) {
	return expanded(it, "identityCertificate", "")
}

// expanded decodes the relationship name of it when it is an inline object;
// want, when not empty, is the only type the relationship may hold.
func expanded(it Item, name, want string) ([]CertificateProfile, diag.List) {
	v, ok := it.member(name)
	if !ok {
		return nil, nil
	}
	var diags diag.List
	path := JoinName(it.Path, name)
	if it.PowerShell {
		path = JoinName(JoinName(it.Path, "AdditionalProperties"), name)
	}
	switch v.Kind {
	case Null:
		diags.Infof("no-relationship", path, "%s is null: no certificate profile is linked here in Intune", name)
		return nil, diags
	case Object:
	default:
		diags.Errorf("type-mismatch", path, "an expanded %s is an object, got %s", name, v.Kind)
		return nil, diags
	}
	rel := newItem(*v, path)
	if want != "" && rel.Type != "" && !strings.EqualFold(rel.Type, want) {
		diags.Errorf("unsupported-type", JoinName(path, "@odata.type"), "%s holds a %s, but Graph links only a %s there", name, rel.Type, want)
		return nil, diags
	}
	if want == "" && rel.certificateType() == TrustedRootType {
		diags.Errorf("unsupported-type", JoinName(path, "@odata.type"), "%s holds a trusted root certificate, but Graph links the client identity there (a SCEP or PKCS profile)", name)
		return nil, diags
	}
	all, d := DecodeCertificate(rel)
	for i := range all {
		all[i].Expanded = true
	}
	return all, append(diags, d...)
}

// expandedRelationship reports whether m is a relationship of an entity of
// type entityType that ExpandedCertificates or DecodeCertificate decode on
// their own, so that the entity's decoder passes over it.
func expandedRelationship(entityType string, m Member) bool {
	if m.Value.Kind != Object && m.Value.Kind != Null {
		return false
	}
	switch entityType {
	case IKEv2Type:
		return m.Name == "identityCertificate"
	case ScepType:
		return m.Name == "rootCertificate"
	}
	return false
}

// DecodeCertificates parses a document given alongside the VPN export
// (--with FILE) and decodes every certificate profile in it: a single
// entity, {"value": {...}}, a list response or a bare array. source names
// the document in the JSON paths of the profiles and diagnostics
// ("root.json:$.certFileName"). Other device configurations in a list are
// skipped; an IKEv2 VPN configuration is an error (it is the INPUT, not a
// certificate profile), and so is a document without any certificate
// profile.
func DecodeCertificates(data []byte, lim Limits, source string) ([]CertificateProfile, diag.List) {
	var diags diag.List
	root := source + ":$"
	items, err := Split(data, lim)
	if err != nil {
		msg := err.Error()
		if rest, ok := strings.CutPrefix(msg, "$"); ok {
			msg = root + rest
		} else {
			msg = source + ": " + msg
		}
		diags.Add(diag.Error, ErrorCode(err), "", "", "%s", msg)
		return nil, diags
	}
	var all []CertificateProfile
	for _, it := range items {
		it.Path = source + ":" + it.Path
		switch {
		case it.IsIKEv2():
			diags.AddHinted(diag.Error, "not-a-certificate", it.Path, "", vpnAsExportHint, "this is the IKEv2 VPN configuration %q, not a certificate profile", it.DisplayName())
		case it.IsCertificateProfile() || len(items) == 1 && it.Type == "":
			got, d := DecodeCertificate(it)
			all = append(all, got...)
			diags = append(diags, d...)
		case len(items) == 1:
			diags.Errorf("unsupported-type", JoinName(it.Path, "@odata.type"), "%s is not an iOS certificate profile; a certificate export holds %s, %s or %s", it.Type, ScepType, PkcsType, TrustedRootType)
		default:
			diags.Infof("skipped-entity", it.Path, "skipped %s %q: not an iOS certificate profile", typeLabel(it.Type), it.DisplayName())
		}
	}
	if len(all) == 0 && !diags.HasErrors() {
		diags.Errorf("no-certificate", root, "the document holds no iOS certificate profile (%s, %s or %s)", ScepType, PkcsType, TrustedRootType)
	}
	return all, diags
}

// checkCertificateValues checks the enum values decoded as strings (see
// checkedEnums) and the base64 of Edm.Binary values in a decoded model
// struct, and clears the ones that are wrong, as the decoder does.
func checkCertificateValues(path string, v reflect.Value) diag.List {
	var diags diag.List
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			fv := v.Field(i)
			if f.Anonymous {
				walk(path, fv)
				continue
			}
			name, _ := parseTag(f.Tag.Get("graph"))
			if name == "" {
				continue
			}
			p := JoinName(path, name)
			switch {
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
				for j := 0; j < fv.Len(); j++ {
					walk(JoinIndex(p, j), fv.Index(j))
				}
			case fv.Kind() == reflect.Pointer && !fv.IsNil():
				if ok := checkValue(p, fv.Elem(), &diags); !ok {
					fv.SetZero()
				}
			}
		}
	}
	walk(path, v)
	return diags
}

// checkValue checks one decoded value and reports whether it is usable.
func checkValue(path string, v reflect.Value, diags *diag.List) bool {
	et, ok := v.Interface().(edmTyper)
	if !ok {
		return true
	}
	typeName := et.EdmType()
	s := v.String()
	if typeName == "Edm.Binary" {
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			diags.Errorf("bad-value", path, "is not base64 (Edm.Binary is sent as base64 text): %v", err)
			return false
		}
		return true
	}
	enum, ok := checkedEnums[typeName]
	if !ok {
		return true
	}
	parts := []string{s}
	if enum.flags {
		parts = splitFlags(s)
	}
	if len(parts) == 0 {
		diags.Errorf("unknown-enum", path, "an empty string is not a %s value; allowed: %s", typeName, strings.Join(enum.members, ", "))
		return false
	}
	good := true
	for _, p := range parts {
		if member, ok := matchMember(p, enum.members); !ok {
			if member != "" {
				diags.Errorf("unknown-enum", path, "%q is not a %s value; Graph spells it %q (allowed: %s)", p, typeName, member, strings.Join(enum.members, ", "))
			} else {
				diags.Errorf("unknown-enum", path, "%q is not a %s value; allowed: %s%s", truncate(p, 60), typeName, strings.Join(enum.members, ", "), flagHint(enum.flags))
			}
			good = false
		}
	}
	return good
}

func flagHint(flags bool) string {
	if flags {
		return " (several are joined with commas, such as \"keyEncipherment,digitalSignature\")"
	}
	return ""
}

// matchMember finds s among members; when it matches only in letter case it
// returns the right spelling and false.
func matchMember(s string, members []string) (string, bool) {
	for _, m := range members {
		if s == m {
			return m, true
		}
	}
	for _, m := range members {
		if strings.EqualFold(s, m) {
			return m, false
		}
	}
	return "", false
}

// splitFlags splits a flag enum value into its members.
func splitFlags(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func hasFlag(s, member string) bool {
	for _, p := range splitFlags(s) {
		if p == member {
			return true
		}
	}
	return false
}

// edmTyper is a model type decoded as a JSON string that names its own EDM
// type (Edm.Binary, or an enum checked after decoding).
type edmTyper interface{ EdmType() string }

var edmTyperType = reflect.TypeFor[edmTyper]()

// CertificateProperties lists every property of a certificate profile type
// (ScepType, PkcsType or TrustedRootType) in model order, like Properties.
func CertificateProperties(odataType string) []Property {
	var t reflect.Type
	switch odataType {
	case ScepType:
		t = reflect.TypeFor[IosScepCertificateProfile]()
	case PkcsType:
		t = reflect.TypeFor[IosPkcsCertificateProfile]()
	case TrustedRootType:
		t = reflect.TypeFor[IosTrustedRootCertificate]()
	default:
		return nil
	}
	var out []Property
	collect(t, "", &out)
	return out
}

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
