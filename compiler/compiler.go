// Package compiler turns a decoded Intune IKEv2 VPN configuration into an
// Apple configuration profile (a Configuration dictionary holding a
// com.apple.vpn.managed payload and any certificate payloads), and reports
// what happened to every setting.
//
// One declarative table (see Rules) says, for every Graph property, which
// Apple key it becomes, how its value is converted, or why it is ignored. The
// same table drives compilation, the printed mapping reference, lint, and the
// iOS version gates. The package does no I/O: certificates and identities
// arrive already loaded, and the profile leaves as plain Go values for
// plistout to encode.
package compiler

import (
	"crypto/x509"
	"slices"
	"strings"
	"sync"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// DefaultIdentifierPrefix is the PayloadIdentifier prefix used when none is
// given. Admins should pass their own reverse-DNS prefix.
const DefaultIdentifierPrefix = "graph2mobileconfig"

// Identity is a client identity to embed as a com.apple.security.pkcs12
// payload.
type Identity struct {
	// PKCS12 is the container to embed, already encoded in a form iOS
	// imports (legacy 3DES/SHA-1).
	PKCS12 []byte
	// Password unlocks PKCS12. It is written into the payload so that the
	// device can import the identity without asking; empty means the device
	// asks the user.
	Password string
	// Certificate is the identity's leaf certificate, for names.
	Certificate *x509.Certificate
}

// Options control a compilation. The zero value is usable.
type Options struct {
	// IdentifierPrefix starts every PayloadIdentifier; DefaultIdentifierPrefix
	// when empty.
	IdentifierPrefix string
	// Organization becomes PayloadOrganization.
	Organization string
	// Identity is the client identity for certificate authentication.
	Identity *Identity
	// IdentityUUID references an identity payload that the MDM delivers in
	// the same profile, instead of embedding Identity.
	IdentityUUID string
	// CACertificates are embedded as certificate payloads so that the device
	// trusts the VPN server.
	CACertificates []*x509.Certificate
	// Vars substitute {{name}} tokens at compile time (names match without
	// regard to case).
	Vars map[string]string
	// Strict turns warnings and unresolved {{tokens}} into errors.
	Strict bool
	// Target is the device the profile is for; the zero value means
	// DefaultTarget, the newest released iOS in Apple's schema. Only an
	// explicit target can refuse an export whose applicability rule
	// excludes it.
	Target Target
	// Algorithms are IKEv2 settings beyond the Graph model (strict
	// algorithm selection, post-quantum key exchanges).
	Algorithms Algorithms

	// Certificates are Intune certificate profiles exported on their own
	// (--with): the VPN's SCEP or PKCS identity and trusted roots. See
	// certs.go.
	Certificates []graphjson.CertificateProfile
	// SCEP holds what a SCEP payload needs that no export holds.
	SCEP SCEPOptions
}

// Input is one configuration to compile.
type Input struct {
	// Config is the decoded Graph entity.
	Config *graphjson.IosikEv2VpnConfiguration
	// Path is the entity's JSON path in its document ("$" or "$.value[2]");
	// diagnostics are reported under it.
	Path string
	// Certificates are the certificate profiles expanded inline in the
	// entity (graphjson.ExpandedCertificates): its identityCertificate and
	// that profile's rootCertificate.
	Certificates []graphjson.CertificateProfile
}

// Result is the outcome of a compilation.
type Result struct {
	// Profile is the outer Configuration dictionary, or nil when the
	// diagnostics hold an error.
	Profile *Dict
	// Identifier and UUID are the profile's PayloadIdentifier and PayloadUUID.
	Identifier, UUID string
	// Secrets reports whether the profile holds a secret (a shared secret, an
	// identity or its password); such files must be written with mode 0600.
	Secrets bool
	// Diagnostics are every finding, sorted by JSON path.
	Diagnostics diag.List
}

// Compile maps one IKEv2 configuration to an Apple profile.
func Compile(in Input, opts Options) *Result {
	if in.Path == "" {
		in.Path = "$"
	}
	b := newBuild(in, opts)
	defer b.release()
	b.run()
	res := &Result{Secrets: b.secrets}
	// The findings leave in a list of their own, of their size: b's is
	// scratch, reused by the next compilation.
	var diags diag.List
	if opts.Strict {
		diags = b.diags.Promote()
	} else {
		diags = slices.Clone(b.diags)
	}
	diags.Sort()
	res.Diagnostics = diags
	if res.Diagnostics.HasErrors() {
		return res
	}
	res.Profile, res.Identifier, res.UUID = b.profile, b.identifier, b.uuid
	return res
}

// build holds the state of one compilation.
type build struct {
	in    Input
	cfg   *graphjson.IosikEv2VpnConfiguration
	opts  Options
	diags diag.List

	target Target
	// vpn holds the VPN payload's own keys; ike the IKEv2 dictionary, which
	// ends up under "IKEv2" or inside the always-on tunnel configuration.
	vpn *Dict
	ike *Dict
	// written lists each Apple key path written, with the Graph property it
	// came from, in the order written.
	written []written

	auth             authPlan
	alwaysOn         bool
	tunnelInterfaces []string
	secrets          bool
	// outer holds keys of the outer Configuration dictionary.
	outer *Dict

	identifier, uuid string
	profile          *Dict
	// vars are Options.Vars by lower-case name; usedVars the names a
	// token asked for.
	vars     map[string]string
	usedVars map[string]bool

	// certs is the plan for the certificate profiles (certs.go).
	certs certPlan
}

func newBuild(in Input, opts Options) *build {
	b := buildPool.Get().(*build)
	b.in, b.cfg, b.opts = in, in.Config, opts
	b.vpn, b.ike = &Dict{entries: make([]Entry, 0, 16)}, &Dict{entries: make([]Entry, 0, 32)}
	return b
}

// buildPool recycles the scratch of a compilation: the build itself, its
// list of written keys and its list of findings (about 8 KB), garbage as
// soon as Compile returns, since the profile and the findings returned are
// their own. A full export writes about sixty keys and gives about thirty
// findings; growing the lists from nothing would copy them five times.
var buildPool = sync.Pool{New: func() any {
	return &build{written: make([]written, 0, 64), diags: make(diag.List, 0, 32)}
}}

// release returns the build to buildPool, holding nothing of this
// compilation. Lists grown far beyond the usual are dropped.
func (b *build) release() {
	written, diags := b.written, b.diags
	clear(written)
	clear(diags)
	if cap(written) > 1024 || cap(diags) > 1024 {
		return
	}
	*b = build{written: written[:0], diags: diags[:0]}
	buildPool.Put(b)
}

// path returns the absolute JSON path of a property of the entity.
func (b *build) path(rel string) string {
	if rel == "" {
		return b.in.Path
	}
	if isSimpleName(rel) {
		return b.in.Path + "." + rel
	}
	return joinRel(b.in.Path, rel)
}

func (b *build) errorf(code, rel, key, format string, args ...any) {
	b.diags.Add(diag.Error, code, b.path(rel), key, format, args...)
}

func (b *build) warnf(code, rel, key, format string, args ...any) {
	b.diags.Add(diag.Warning, code, b.path(rel), key, format, args...)
}

func (b *build) infof(code, rel, key, format string, args ...any) {
	b.diags.Add(diag.Info, code, b.path(rel), key, format, args...)
}

// setIKE writes a key of the IKEv2 dictionary; rel is the Graph property it
// comes from. Strings have their {{tokens}} resolved on the way in.
func (b *build) setIKE(key string, v any, rel string) {
	b.ike.Set(key, b.resolve(v, rel, ikePrefix+key))
	b.recordIKE(key, rel, "")
}

// setVPN writes a key of the VPN payload at a dotted path ("Proxies.HTTPPort").
func (b *build) setVPN(keyPath string, v any, rel string) {
	setPath(b.vpn, keyPath, b.resolve(v, rel, keyPath))
	b.record(keyPath, rel, "")
}

// written is one Apple key path that the compiler wrote, and the Graph
// property it came from: rel, and member within it when not empty. Paths
// are joined only for a diagnostic: key is relative to the IKEv2
// dictionary when ike is set, to the VPN payload otherwise.
type written struct {
	key, rel, member string
	ike, dropped     bool
}

const ikePrefix = "IKEv2."

// fullKey returns the key's path in the VPN payload.
func (w *written) fullKey() string {
	if w.ike {
		return ikePrefix + w.key
	}
	return w.key
}

// is reports whether w is the key at path full in the VPN payload.
func (w *written) is(full string) bool {
	if w.ike {
		rest, ok := strings.CutPrefix(full, ikePrefix)
		return ok && rest == w.key
	}
	return w.key == full
}

func (w *written) origin() string {
	if w.member == "" {
		return w.rel
	}
	return w.rel + "." + w.member
}

// record notes that key was written from the Graph property rel (member).
// A list, not a map: about sixty keys are written per profile, and they
// are looked up again only to gate them by target.
func (b *build) record(key, rel, member string) {
	b.written = append(b.written, written{key: key, rel: rel, member: member})
}

// recordIKE is record for a key of the IKEv2 dictionary.
func (b *build) recordIKE(key, rel, member string) {
	b.written = append(b.written, written{key: key, rel: rel, member: member, ike: true})
}

// origin returns the Graph property the key was last written from.
func (b *build) origin(key string) string {
	for i := len(b.written) - 1; i >= 0; i-- {
		if w := &b.written[i]; w.is(key) && !w.dropped {
			return w.origin()
		}
	}
	return ""
}

// forget marks the key as left out of the profile.
func (b *build) forget(key string) {
	for i := range b.written {
		if b.written[i].is(key) {
			b.written[i].dropped = true
		}
	}
}

// isSimpleName reports whether rel is a single plain property name, the
// common case, whose path needs no parsing.
func isSimpleName(rel string) bool {
	for i := 0; i < len(rel); i++ {
		c := rel[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return rel != ""
}

func setPath(d *Dict, keyPath string, v any) {
	for {
		p, rest, nested := strings.Cut(keyPath, ".")
		if !nested {
			d.Set(keyPath, v)
			return
		}
		cur, _ := d.Get(p)
		next, ok := cur.(*Dict)
		if !ok {
			next = &Dict{}
			d.Set(p, next)
		}
		d, keyPath = next, rest
	}
}

// deletePath removes a key at a dotted path and any dictionaries the removal
// leaves empty, so the profile never carries an empty container that would
// mean something different from "not configured".
func deletePath(root *Dict, keyPath string) {
	parts := strings.Split(keyPath, ".")
	chain := []*Dict{root}
	d := root
	for _, p := range parts[:len(parts)-1] {
		cur, _ := d.Get(p)
		next, ok := cur.(*Dict)
		if !ok {
			return
		}
		chain = append(chain, next)
		d = next
	}
	d.Delete(parts[len(parts)-1])
	for i := len(chain) - 1; i > 0 && chain[i].Len() == 0; i-- {
		chain[i-1].Delete(parts[i-1])
	}
}

func flag(v bool) int {
	if v {
		return 1
	}
	return 0
}

// has reports whether an optional string is configured: not null, not empty.
func has(s *string) bool { return s != nil && strings.TrimSpace(*s) != "" }

func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
