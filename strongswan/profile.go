package strongswan

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/signing"
)

// ReadOptions control how a profile is read.
type ReadOptions struct {
	// IOS is the iOS version whose default proposals apply when the profile
	// has no security association parameters, such as "17.4"; empty means
	// the newest iOS in Apple's schema.
	IOS string
	// Payload selects the VPN payload by PayloadIdentifier or PayloadUUID;
	// it is needed only when the profile has more than one.
	Payload string
	// IdentityPassword opens a PKCS#12 payload that holds no Password (the
	// device would ask the user).
	IdentityPassword string
	// Identity replaces the client identity the profile names, for example
	// one an MDM delivers through SCEP.
	Identity *Identity
	// Vars fill {{name}} tokens (matched without regard to case) that an MDM
	// would fill on the device.
	Vars map[string]string
	// Hints, when set, says the remedies that lie in the caller's options
	// in its own words (see HintCodes), in errors and the tunnels' notes;
	// nil keeps the Go API's.
	Hints diag.HintFunc
}

// ProfileError is a problem with the profile: the key path and what is wrong.
type ProfileError struct {
	Key string
	Msg string
}

func (e *ProfileError) Error() string {
	if e.Key == "" {
		return e.Msg
	}
	return e.Key + ": " + e.Msg
}

func profileErrorf(key, format string, args ...any) error {
	return &ProfileError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// VPN payload types this package reads.
var vpnPayloadTypes = []string{"com.apple.vpn.managed", "com.apple.vpn.managed.applayer"}

// Certificate payload types whose certificates the device trusts.
var anchorPayloadTypes = []string{"com.apple.security.root", "com.apple.security.pkcs1", "com.apple.security.pem"}

// ReadProfile reads a decoded configuration profile (the top-level
// dictionary as plistout.Decode returns it, with encrypted payloads already
// decrypted into PayloadContent) and maps its IKEv2 VPN payload to
// strongSwan terms.
func ReadProfile(top map[string]any, opts ReadOptions) (*Profile, error) {
	return readProfile(top, opts, nil)
}

// readProfile is ReadProfile that records every key it consults in used
// (when not nil), so that a test can hold the key table of the
// documentation to what the code reads.
func readProfile(top map[string]any, opts ReadOptions, used map[string]bool) (*Profile, error) {
	if opts.IOS == "" {
		opts.IOS = appleschema.NewestIOS()
	}
	root := dict{m: top, docPrefix: "Profile.", used: used, vars: opts.Vars}
	p := &Profile{IOS: opts.IOS}
	p.Identifier, _ = root.str("PayloadIdentifier")
	p.DisplayName, _ = root.str("PayloadDisplayName")
	root.use("PayloadContent")
	if _, encrypted := top["EncryptedPayloadContent"]; encrypted {
		if _, ok := top["PayloadContent"]; !ok {
			return nil, &HintError{Err: profileErrorf("EncryptedPayloadContent", "the payloads are encrypted"),
				Hint: hint(opts.Hints, HintDecrypt, "", "decrypt them first with the device's key (profile.Options.Decrypt)")}
		}
	}
	raw, ok := top["PayloadContent"]
	if !ok {
		return nil, profileErrorf("PayloadContent", "the profile has no payloads")
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, profileErrorf("PayloadContent", "is a %s, not an array of payloads", typeName(raw))
	}
	var payloads []dict
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, profileErrorf(fmt.Sprintf("PayloadContent[%d]", i), "is a %s, not a dictionary", typeName(e))
		}
		payloads = append(payloads, dict{m: m, used: used, vars: opts.Vars})
	}

	vpn, err := selectVPNPayload(payloads, opts.Payload)
	if err != nil {
		return nil, err
	}
	p.VPNPayload, _ = vpn.str("PayloadIdentifier")
	p.Name, _ = vpn.str("UserDefinedName")
	p.VPNType, _ = vpn.str("VPNType")

	anchors, err := trustAnchors(payloads)
	if err != nil {
		return nil, err
	}
	env := tunnelEnv{payloads: payloads, anchors: anchors, opts: opts, vpn: vpn}

	switch p.VPNType {
	case "IKEv2":
		ike, ok, err := vpn.sub("IKEv2")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, profileErrorf("IKEv2", "VPNType is IKEv2 but the payload has no IKEv2 dictionary")
		}
		ike.prefix = "IKEv2."
		t, err := env.tunnel(ike, p.Name)
		if err != nil {
			return nil, err
		}
		p.Tunnels = []*Tunnel{t}
	case "AlwaysOn":
		ao, ok, err := vpn.sub("AlwaysOn")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, profileErrorf("AlwaysOn", "VPNType is AlwaysOn but the payload has no AlwaysOn dictionary")
		}
		configs, ok, err := ao.dicts("TunnelConfigurations")
		if err != nil {
			return nil, err
		}
		if !ok || len(configs) == 0 {
			return nil, profileErrorf("AlwaysOn.TunnelConfigurations", "an always-on VPN needs at least one tunnel configuration")
		}
		aoNotes := alwaysOnNotes(ao)
		for i, c := range configs {
			c.prefix = fmt.Sprintf("AlwaysOn.TunnelConfigurations[%d].", i)
			c.docPrefix = "AlwaysOn.TunnelConfigurations[]."
			ifaces, _, err := c.strings("Interfaces")
			if err != nil {
				return nil, err
			}
			if proto, ok := c.str("ProtocolType"); ok && proto != "IKEv2" {
				return nil, profileErrorf(c.prefix+"ProtocolType", "is %q; only IKEv2 tunnels can be dialed", proto)
			}
			// The IKEv2 keys of a tunnel configuration are the IKEv2
			// dictionary's keys, and documented as such.
			c.docPrefix = "IKEv2."
			name := p.Name
			if len(ifaces) > 0 {
				name += " (" + strings.Join(ifaces, ", ") + ")"
			}
			t, err := env.tunnel(c, name)
			if err != nil {
				return nil, err
			}
			t.Interfaces = ifaces
			t.Notes = append(t.Notes, aoNotes...)
			p.Tunnels = append(p.Tunnels, t)
		}
	case "":
		return nil, profileErrorf("VPNType", "the VPN payload has no VPNType")
	default:
		return nil, profileErrorf("VPNType", "is %q; only IKEv2 and AlwaysOn (IKEv2) VPNs can be brought up with strongSwan", p.VPNType)
	}
	return p, nil
}

// selectVPNPayload finds the VPN payload, by identifier or UUID when there
// is more than one.
func selectVPNPayload(payloads []dict, want string) (dict, error) {
	var found []dict
	for _, d := range payloads {
		typ, _ := d.str("PayloadType")
		if !slices.Contains(vpnPayloadTypes, typ) {
			continue
		}
		id, _ := d.str("PayloadIdentifier")
		uuid, _ := d.str("PayloadUUID")
		if want != "" && want != id && !strings.EqualFold(want, uuid) {
			continue
		}
		found = append(found, d)
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && want != "":
		return dict{}, profileErrorf("PayloadContent", "no VPN payload has the PayloadIdentifier or PayloadUUID %q", want)
	case len(found) == 0:
		return dict{}, profileErrorf("PayloadContent", "the profile has no VPN payload (com.apple.vpn.managed)")
	}
	var names []string
	for _, d := range found {
		id, _ := d.str("PayloadIdentifier")
		names = append(names, id)
	}
	return dict{}, profileErrorf("PayloadContent", "the profile has %d VPN payloads (%s); choose one by its PayloadIdentifier", len(found), strings.Join(names, ", "))
}

// trustAnchors reads the certificates of the certificate payloads.
func trustAnchors(payloads []dict) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i, d := range payloads {
		typ, _ := d.str("PayloadType")
		if !slices.Contains(anchorPayloadTypes, typ) {
			continue
		}
		cert := d
		cert.docPrefix = "Certificate payloads."
		cert.use("PayloadContent")
		data, ok := d.m["PayloadContent"].([]byte)
		if !ok {
			return nil, profileErrorf(fmt.Sprintf("PayloadContent[%d].PayloadContent", i), "the %s payload holds no certificate data", typ)
		}
		certs, err := signing.ParseCertificates(data)
		if err != nil {
			return nil, profileErrorf(fmt.Sprintf("PayloadContent[%d].PayloadContent", i), "the certificate cannot be read: %v", err)
		}
		out = append(out, certs...)
	}
	return out, nil
}

// tunnelEnv is what reading a tunnel needs besides its dictionary.
type tunnelEnv struct {
	payloads []dict
	anchors  []*x509.Certificate
	opts     ReadOptions
	vpn      dict
}

// dpdIntervals maps DeadPeerDetectionRate to the interval Apple gives for
// it; strongSwan's dpd_delay takes the same interval.
var dpdIntervals = []struct {
	rate  string
	delay time.Duration
}{
	{"None", 0},
	{"Low", 30 * time.Minute},
	{"Medium", 10 * time.Minute},
	{"High", time.Minute},
}

// tunnel reads one IKEv2 dictionary (or always-on tunnel configuration).
func (env tunnelEnv) tunnel(d dict, name string) (*Tunnel, error) {
	t := &Tunnel{Name: name, Where: strings.TrimSuffix(d.prefix, "."), IOS: env.opts.IOS}
	var err error
	if t.RemoteAddress, err = d.required("RemoteAddress"); err != nil {
		return nil, err
	}
	if t.RemoteIdentifier, err = d.required("RemoteIdentifier"); err != nil {
		return nil, err
	}
	t.LocalIdentifier, _ = d.str("LocalIdentifier")
	t.RemoteID = iosIdentity(t.RemoteIdentifier)
	t.LocalID = iosIdentity(t.LocalIdentifier)

	if err := env.authentication(d, t); err != nil {
		return nil, err
	}
	if err := env.proposals(d, t); err != nil {
		return nil, err
	}

	rate, ok := d.str("DeadPeerDetectionRate")
	if !ok {
		rate = "Medium"
	}
	found := false
	for _, r := range dpdIntervals {
		if r.rate == rate {
			t.DPD, found = r.delay, true
		}
	}
	if !found {
		return nil, profileErrorf(d.prefix+"DeadPeerDetectionRate", "is %q; Apple's values are None, Low, Medium and High", rate)
	}
	disable, err := d.flag("DisableMOBIKE", false)
	if err != nil {
		return nil, err
	}
	t.MOBIKE = !disable
	if disable, err = d.flag("DisableRedirect", false); err != nil {
		return nil, err
	}
	t.FollowRedirect = !disable
	if n, ok, err := d.integer("NATKeepAliveInterval"); err != nil {
		return nil, err
	} else if ok {
		if n < 20 {
			return nil, profileErrorf(d.prefix+"NATKeepAliveInterval", "is %d; Apple's minimum is 20 seconds", n)
		}
		t.NATKeepAlive = time.Duration(n) * time.Second
	}
	t.TLSMin, _ = d.str("TLSMinimumVersion")
	t.TLSMax, _ = d.str("TLSMaximumVersion")
	for _, v := range []struct{ key, val string }{{"TLSMinimumVersion", t.TLSMin}, {"TLSMaximumVersion", t.TLSMax}} {
		if v.val != "" && !slices.Contains([]string{"1.0", "1.1", "1.2", "1.3"}, v.val) {
			return nil, profileErrorf(d.prefix+v.key, "is %q; Apple's values are 1.0, 1.1, 1.2 (and 1.3 from iOS 26)", v.val)
		}
	}
	if t.InternalSubnet, err = d.flag("UseConfigurationAttributeInternalIPSubnet", false); err != nil {
		return nil, err
	}
	if t.RevocationCheck, err = d.flag("EnableCertificateRevocationCheck", false); err != nil {
		return nil, err
	}
	if n, ok, err := d.integer("MTU"); err != nil {
		return nil, err
	} else if ok {
		t.MTU = int(n)
	}
	if ppk, ok := d.m["PPK"]; ok {
		d.use("PPK")
		b, isData := ppk.([]byte)
		if !isData {
			return nil, profileErrorf(d.prefix+"PPK", "is a %s, not data", typeName(ppk))
		}
		t.PPK = b
		if t.PPKID, err = d.required("PPKIdentifier"); err != nil {
			return nil, profileErrorf(d.prefix+"PPKIdentifier", "is required with PPK")
		}
		if t.PPKRequired, err = d.flag("PPKMandatory", true); err != nil {
			return nil, err
		}
	}

	if err := env.routing(d, t); err != nil {
		return nil, err
	}
	t.Notes = append(t.Notes, deviceOnlyNotes(d)...)
	return t, nil
}

// authentication reads the authentication keys. With ExtendedAuthEnabled,
// AuthenticationMethod only says how the device checks the server (Apple's
// NetworkExtension documentation of authenticationMethod); the device itself
// authenticates with EAP: EAP-TLS when PayloadCertificateUUID names an
// identity, EAP-MSCHAPv2 with AuthName and AuthPassword otherwise.
func (env tunnelEnv) authentication(d dict, t *Tunnel) error {
	method, err := d.required("AuthenticationMethod")
	if err != nil {
		return err
	}
	extended, err := d.flag("ExtendedAuthEnabled", false)
	if err != nil {
		return err
	}
	t.Auth.Method, t.Auth.Extended = method, extended
	t.IdentityRef, _ = d.str("PayloadCertificateUUID")
	t.CertificateType, _ = d.str("CertificateType")
	t.ServerIssuerCN, _ = d.str("ServerCertificateIssuerCommonName")
	t.ServerCertCN, _ = d.str("ServerCertificateCommonName")
	t.CertRequest = t.ServerIssuerCN != ""
	t.TrustAnchors = env.anchors

	switch method {
	case "SharedSecret", "Certificate", "None":
	default:
		return profileErrorf(d.prefix+"AuthenticationMethod", "is %q; Apple's values are SharedSecret, Certificate and None", method)
	}
	if !extended {
		switch method {
		case "Certificate":
			t.Auth.Server, t.Auth.Client = MethodPubkey, MethodPubkey
		default: // None without EAP falls back to SharedSecret (Apple's schema)
			t.Auth.Server, t.Auth.Client = MethodPSK, MethodPSK
		}
	} else {
		switch method {
		case "SharedSecret":
			t.Auth.Server = MethodPSK
		default:
			t.Auth.Server = MethodPubkey
			t.Auth.EAPOnly = method == "None"
		}
		t.Auth.Client = MethodEAPMSCHAPv2
		if t.IdentityRef != "" || env.opts.Identity != nil {
			t.Auth.Client = MethodEAPTLS
		}
	}
	if t.Auth.Server == MethodPSK || t.Auth.Client == MethodPSK {
		secret, ok := d.str("SharedSecret")
		if !ok || secret == "" {
			return profileErrorf(d.prefix+"SharedSecret", "AuthenticationMethod %s needs the shared secret, and the profile holds none", method)
		}
		t.SharedSecret = secret
	}
	if t.Auth.Client == MethodEAPMSCHAPv2 {
		t.EAPUser, _ = d.str("AuthName")
		t.EAPPassword, _ = d.str("AuthPassword")
	}
	if t.Auth.Client == MethodPubkey || t.Auth.Client == MethodEAPTLS {
		if err := env.identity(d, t); err != nil {
			return err
		}
		if t.CertificateType == "" {
			t.CertificateType = "RSA"
		}
		if !slices.Contains([]string{"RSA", "ECDSA256", "ECDSA384", "ECDSA521", "RSA-PSS"}, t.CertificateType) {
			return profileErrorf(d.prefix+"CertificateType", "is %q; Apple's values are RSA, ECDSA256, ECDSA384, ECDSA521 and RSA-PSS", t.CertificateType)
		}
		// Apple: "The type of PayloadCertificateUUID to use for IKEv2
		// machine authentication"; EAP-TLS is not machine authentication.
		if t.Identity != nil && t.Auth.Client == MethodPubkey {
			if err := checkCertificateType(t.CertificateType, t.Identity.Certificate); err != nil {
				return profileErrorf(d.prefix+"CertificateType", "%v", err)
			}
		}
	}
	if t.Auth.Server == MethodPubkey && len(t.TrustAnchors) == 0 {
		t.Notes = append(t.Notes, withHint("the profile carries no CA certificate payload: the device then trusts the server certificate only through CAs installed by other profiles or its own root store; dial trusts no CA and fails without one",
			hint(env.opts.Hints, HintServerCA, "", "add the server's CA to the tunnel's TrustAnchors before strongswan.Dial")))
	}
	return nil
}

// identity resolves PayloadCertificateUUID to the PKCS#12 payload, or
// to the SCEP payload through which the device enrolls its identity; an
// identity given in the options replaces either.
func (env tunnelEnv) identity(d dict, t *Tunnel) error {
	if t.IdentityRef != "" {
		if err := env.enrollment(d, t); err != nil {
			return err
		}
	}
	if id := env.opts.Identity; id != nil {
		t.Identity = id
		if t.Enrollment != nil {
			t.IdentityMismatch = t.Enrollment.check(id.Certificate, t.TrustAnchors)
		}
		return nil
	}
	if t.IdentityRef == "" {
		t.IdentityProblem = "the profile names no identity (PayloadCertificateUUID)"
		return nil
	}
	for _, p := range env.payloads {
		uuid, _ := p.str("PayloadUUID")
		if !strings.EqualFold(uuid, t.IdentityRef) {
			continue
		}
		typ, _ := p.str("PayloadType")
		p.docPrefix = "com.apple.security.pkcs12."
		switch typ {
		case "com.apple.security.pkcs12":
		case "com.apple.security.scep":
			e := t.Enrollment
			t.IdentityProblem = fmt.Sprintf("the identity comes from the SCEP payload %s: the device makes its key and enrolls the certificate from %s itself, so neither is in the profile; enroll one with that payload's parameters (subject %s, RSA %d bits)", e.PayloadIdentifier, e.URL, e.SubjectString(), e.KeySize)
			return nil
		case "com.apple.security.acme":
			t.IdentityProblem = fmt.Sprintf("the identity is a %s payload: the device enrolls it itself, so it is not in the profile", typ)
			return nil
		default:
			return profileErrorf(d.prefix+"PayloadCertificateUUID", "names a %s payload, which holds no private key", typ)
		}
		p.use("PayloadContent")
		data, ok := p.m["PayloadContent"].([]byte)
		if !ok {
			return profileErrorf(d.prefix+"PayloadCertificateUUID", "the PKCS#12 payload %s holds no data", t.IdentityRef)
		}
		password, hasPassword := p.str("Password")
		if !hasPassword {
			password = env.opts.IdentityPassword
		}
		id, err := signing.LoadPKCS12Identity(data, password)
		if err != nil {
			if !hasPassword && env.opts.IdentityPassword == "" {
				t.IdentityProblem = "the PKCS#12 payload holds no Password (the device asks the user for it)"
				return nil
			}
			return profileErrorf(d.prefix+"PayloadCertificateUUID", "the PKCS#12 payload cannot be opened: %v", err)
		}
		var chain []*x509.Certificate
		for _, c := range id.Chain {
			if !c.Equal(id.Certificate) {
				chain = append(chain, c)
			}
		}
		t.Identity = &Identity{Certificate: id.Certificate, Key: id.PrivateKey, Chain: chain, PayloadUUID: uuid}
		return nil
	}
	t.IdentityProblem = fmt.Sprintf("no payload in the profile has the PayloadUUID %s (the MDM must deliver it)", t.IdentityRef)
	return nil
}

// enrollment reads the SCEP payload PayloadCertificateUUID names, if it
// names one, into t.Enrollment.
func (env tunnelEnv) enrollment(d dict, t *Tunnel) error {
	for _, p := range env.payloads {
		if uuid, _ := p.m["PayloadUUID"].(string); !strings.EqualFold(uuid, t.IdentityRef) {
			continue
		}
		if typ, _ := p.m["PayloadType"].(string); typ != "com.apple.security.scep" {
			return nil
		}
		e := &Enrollment{PayloadType: "com.apple.security.scep", PayloadUUID: t.IdentityRef, KeySize: 1024}
		e.PayloadIdentifier, _ = p.str("PayloadIdentifier")
		p.docPrefix = "com.apple.security.scep."
		where := d.prefix + "PayloadCertificateUUID"
		content, ok, err := p.sub("PayloadContent")
		if err != nil {
			return profileErrorf(where, "names the SCEP payload %s, whose %v", e.PayloadIdentifier, err)
		}
		if !ok {
			return profileErrorf(where, "names the SCEP payload %s, which has no PayloadContent", e.PayloadIdentifier)
		}
		e.URL, _ = content.str("URL")
		if n, ok, err := content.integer("Keysize"); err != nil {
			return err
		} else if ok {
			e.KeySize = int(n)
		}
		content.use("Subject")
		if raw, ok := content.m["Subject"]; ok {
			if e.Subject, err = subjectArray(raw, content.vars); err != nil {
				return profileErrorf(content.prefix+"Subject", "%v", err)
			}
		}
		t.Enrollment = e
		return nil
	}
	return nil
}

// subjectArray reads a SCEP payload's Subject: an array of RDNs, each an
// array of [OID, value] pairs.
func subjectArray(raw any, vars map[string]string) ([][][2]string, error) {
	rdns, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("is a %s, not an array", typeName(raw))
	}
	var out [][][2]string
	for _, r := range rdns {
		pairs, ok := r.([]any)
		if !ok {
			return nil, fmt.Errorf("an RDN is a %s, not an array", typeName(r))
		}
		var rdn [][2]string
		for _, pr := range pairs {
			items, ok := pr.([]any)
			if !ok || len(items) != 2 {
				return nil, fmt.Errorf("an attribute is not a pair [OID, value]")
			}
			oid, ok1 := items[0].(string)
			value, ok2 := items[1].(string)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("an attribute is not a pair of strings")
			}
			rdn = append(rdn, [2]string{oid, fillVars(value, vars)})
		}
		out = append(out, rdn)
	}
	return out, nil
}

// appleSubjectOIDs are the short names Apple's SCEP payload accepts.
var appleSubjectOIDs = map[string]string{"C": "2.5.4.6", "L": "2.5.4.7", "ST": "2.5.4.8", "O": "2.5.4.10", "OU": "2.5.4.11", "CN": "2.5.4.3"}

// check says how a certificate differs from what the device would enroll
// with this payload: its subject, its key, and (when the profile has CA
// certificates) the CA it chains to.
func (e *Enrollment) check(cert *x509.Certificate, anchors []*x509.Certificate) []string {
	var out []string
	if len(e.Subject) > 0 && UnresolvedToken(e.SubjectString()) == "" {
		var want, got []string
		for _, rdn := range e.Subject {
			var attrs []string
			for _, a := range rdn {
				oid := a[0]
				if o, ok := appleSubjectOIDs[oid]; ok {
					oid = o
				}
				attrs = append(attrs, oid+"="+a[1])
			}
			slices.Sort(attrs)
			want = append(want, strings.Join(attrs, "+"))
		}
		for _, rdn := range cert.Subject.ToRDNSequence() {
			var attrs []string
			for _, a := range rdn {
				attrs = append(attrs, fmt.Sprintf("%s=%v", a.Type, a.Value))
			}
			slices.Sort(attrs)
			got = append(got, strings.Join(attrs, "+"))
		}
		if !slices.Equal(want, got) {
			out = append(out, fmt.Sprintf("its subject is %q, but the SCEP payload asks for %q", cert.Subject.String(), e.SubjectString()))
		}
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() != e.KeySize {
			out = append(out, fmt.Sprintf("its key is RSA %d bits, but the SCEP payload makes RSA %d-bit keys (Keysize)", k.N.BitLen(), e.KeySize))
		}
	default:
		out = append(out, fmt.Sprintf("its key is %s, but the SCEP payload makes RSA keys only", keyName(cert)))
	}
	if len(anchors) > 0 {
		roots := x509.NewCertPool()
		for _, c := range anchors {
			roots.AddCert(c)
		}
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			out = append(out, fmt.Sprintf("it does not chain to a CA certificate of the profile (%v), while the SCEP server's CA usually does: Intune's SCEP profile names its root", err))
		}
	}
	return out
}

func keyName(cert *x509.Certificate) string {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return fmt.Sprintf("ECDSA %s", k.Curve.Params().Name)
	}
	return fmt.Sprintf("%T", cert.PublicKey)
}

// checkCertificateType reports a client certificate whose key is not of the
// type CertificateType names: the device signs with the method that key
// type implies.
func checkCertificateType(typ string, cert *x509.Certificate) error {
	var got string
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		got = "RSA"
		if typ == "RSA-PSS" {
			return nil
		}
	case *ecdsa.PublicKey:
		got = fmt.Sprintf("ECDSA%d", k.Curve.Params().BitSize)
	default:
		got = fmt.Sprintf("%T", cert.PublicKey)
	}
	if got != typ {
		return fmt.Errorf("is %s but the identity %q has a %s key; the device authenticates with the key type CertificateType names", typ, cert.Subject.CommonName, got)
	}
	return nil
}

// proposals reads the security association parameters.
func (env tunnelEnv) proposals(d dict, t *Tunnel) error {
	ikeDict, hasIKE, err := d.sub("IKESecurityAssociationParameters")
	if err != nil {
		return err
	}
	childDict, hasChild, err := d.sub("ChildSecurityAssociationParameters")
	if err != nil {
		return err
	}
	if t.PFS, err = d.flag("EnablePFS", false); err != nil {
		return err
	}
	if t.PostQuantumFallback, err = d.flag("AllowPostQuantumKeyExchangeFallback", false); err != nil {
		return err
	}
	strict, err := d.flag("EnforceStrictAlgorithmSelection", false)
	if err != nil {
		return err
	}

	t.IKELifetime, t.ChildLifetime = appleDefaultLifetime, appleDefaultLifetime
	if !hasIKE {
		row := DefaultProposalsFor(env.opts.IOS)
		t.DefaultProposals = &row
		t.IKE = row.IKE
		t.ESP = row.ESP
	} else {
		sa, err := saParams(ikeDict)
		if err != nil {
			return err
		}
		t.IKEParams = &sa
		t.IKELifetime, t.ChildLifetime = sa.Lifetime, sa.Lifetime
		p, err := proposalFromParams(sa, true)
		if err != nil {
			return profileErrorf(ikeDict.prefix[:len(ikeDict.prefix)-1], "%v", err)
		}
		t.IKE = []Proposal{p}
		// "These parameters apply to Child Security Association unless
		// ChildSecurityAssociationParameters is specified."
		child := sa
		t.ChildParams = &child
		esp, err := proposalFromParams(child, t.PFS)
		if err != nil {
			return err
		}
		t.ESP = []Proposal{esp}
	}
	if hasChild {
		sa, err := saParams(childDict)
		if err != nil {
			return err
		}
		t.ChildParams = &sa
		t.ChildLifetime = sa.Lifetime
		esp, err := proposalFromParams(sa, t.PFS)
		if err != nil {
			return profileErrorf(childDict.prefix[:len(childDict.prefix)-1], "%v", err)
		}
		t.ESP = []Proposal{esp}
		if !hasIKE {
			t.Notes = append(t.Notes, "the profile sets ChildSecurityAssociationParameters but not IKESecurityAssociationParameters: the IKE SA uses the iOS default proposals")
		}
	}
	if t.DefaultProposals != nil && t.PFS {
		// With PFS and default proposals the device proposes the IKE SA's
		// group when it rekeys; for the first CHILD_SA no DH is used.
		t.Notes = append(t.Notes, "EnablePFS with the default proposals: the device rekeys the CHILD_SA with the IKE SA's DH group")
	}
	if strict {
		if err := checkStrict(t); err != nil {
			return profileErrorf(d.prefix+"EnforceStrictAlgorithmSelection", "%v; the device refuses this payload", err)
		}
	}
	return nil
}

// saParams reads one SecurityAssociationParameters dictionary, filling in
// Apple's defaults.
func saParams(d dict) (SAParams, error) {
	sa := SAParams{
		EncryptionAlgorithm: appleDefaultEncryption,
		IntegrityAlgorithm:  appleDefaultIntegrity,
		DiffieHellmanGroup:  appleDefaultDHGroup,
		Lifetime:            appleDefaultLifetime,
	}
	if v, ok := d.str("EncryptionAlgorithm"); ok {
		sa.EncryptionAlgorithm = v
	}
	if v, ok := d.str("IntegrityAlgorithm"); ok {
		sa.IntegrityAlgorithm = v
	}
	if v, ok, err := d.integer("DiffieHellmanGroup"); err != nil {
		return sa, err
	} else if ok {
		sa.DiffieHellmanGroup = int(v)
	}
	if v, ok, err := d.integer("LifeTimeInMinutes"); err != nil {
		return sa, err
	} else if ok {
		if v < 10 || v > 1440 {
			return sa, profileErrorf(d.prefix+"LifeTimeInMinutes", "is %d; Apple's range is 10 to 1440", v)
		}
		sa.Lifetime = time.Duration(v) * time.Minute
	}
	if raw, ok := d.m["PostQuantumKeyExchangeMethods"]; ok {
		d.use("PostQuantumKeyExchangeMethods")
		list, isList := raw.([]any)
		if !isList {
			return sa, profileErrorf(d.prefix+"PostQuantumKeyExchangeMethods", "is a %s, not an array", typeName(raw))
		}
		for i, e := range list {
			n, ok := toInt(e)
			if !ok {
				return sa, profileErrorf(fmt.Sprintf("%sPostQuantumKeyExchangeMethods[%d]", d.prefix, i), "is a %s, not an integer", typeName(e))
			}
			sa.PostQuantum = append(sa.PostQuantum, int(n))
		}
	}
	return sa, nil
}

// cipherBits is the strength EnforceStrictAlgorithmSelection compares.
var cipherBits = map[string]int{"des": 56, "3des": 112, "aes128": 128, "aes128gcm16": 128, "aes256": 256, "aes256gcm16": 256, "chacha20poly1305": 256}

// checkStrict applies EnforceStrictAlgorithmSelection as Apple describes
// it: no DES, 3DES or DH group below 14, and an IKE SA cipher at least as
// strong as the child SA's.
func checkStrict(t *Tunnel) error {
	for _, p := range append(slices.Clone(t.IKE), t.ESP...) {
		switch p.Encryption {
		case "des", "3des":
			return fmt.Errorf("%s is not allowed", reverse(encryptionKeywords, p.Encryption))
		}
		switch p.DH {
		case "modp768", "modp1024", "modp1536":
			return fmt.Errorf("DH group %s is below 14", reverse(dhKeywords, p.DH))
		}
	}
	if len(t.IKE) == 1 && len(t.ESP) == 1 && cipherBits[t.IKE[0].Encryption] < cipherBits[t.ESP[0].Encryption] {
		return fmt.Errorf("the IKE SA cipher %s is weaker than the child SA cipher %s", reverse(encryptionKeywords, t.IKE[0].Encryption), reverse(encryptionKeywords, t.ESP[0].Encryption))
	}
	return nil
}

// routing decides between a full and a split tunnel.
func (env tunnelEnv) routing(d dict, t *Tunnel) error {
	all, err := d.flag("IncludeAllNetworks", false)
	if err != nil {
		return err
	}
	if all {
		t.FullTunnel, t.FullTunnelBecause = true, d.docPrefixOr()+"IncludeAllNetworks is 1"
		return nil
	}
	if v4, ok, err := env.vpn.sub("IPv4"); err != nil {
		return err
	} else if ok {
		v4.prefix = "IPv4."
		override, err := v4.flag("OverridePrimary", false)
		if err != nil {
			return err
		}
		if override {
			t.FullTunnel, t.FullTunnelBecause = true, "IPv4.OverridePrimary is 1"
			return nil
		}
	}
	if vt, _ := env.vpn.str("VPNType"); vt == "AlwaysOn" {
		t.FullTunnel, t.FullTunnelBecause = true, "VPNType is AlwaysOn"
	}
	return nil
}

// deviceOnlyNotes lists the keys of a tunnel whose effect only a device
// shows.
func deviceOnlyNotes(d dict) []string {
	var notes []string
	for _, k := range deviceOnlyKeys {
		if _, ok := d.m[k.key]; ok {
			d.use(k.key)
			notes = append(notes, k.key+": "+k.why)
		}
	}
	return notes
}

func alwaysOnNotes(ao dict) []string {
	var notes []string
	for _, k := range []string{"UIToggleEnabled", "ServiceExceptions", "AllowCaptiveWebSheet", "AllowAllCaptiveNetworkPlugins", "AllowedCaptiveNetworkPlugins", "ApplicationExceptions"} {
		if _, ok := ao.m[k]; ok {
			ao.use(k)
			notes = append(notes, "AlwaysOn."+k+": applies on the device only (always-on behaviour, exceptions, captive networks)")
		}
	}
	return notes
}

// deviceOnlyKeys are IKEv2 keys that change what the device does around
// the tunnel, not the IKE negotiation; dial cannot show them.
var deviceOnlyKeys = []struct{ key, why string }{
	{"OnDemandEnabled", "on-demand connection is decided by the device"},
	{"OnDemandRules", "on-demand rules are evaluated by the device"},
	{"OnDemandUserOverrideDisabled", "a Settings toggle on the device"},
	{"DisconnectOnIdle", "the device disconnects an idle tunnel"},
	{"DisconnectOnIdleTimer", "the device disconnects an idle tunnel"},
	{"EnforceRoutes", "routing on the device"},
	{"ExcludeLocalNetworks", "routing on the device"},
	{"ExcludeCellularServices", "routing on the device"},
	{"ExcludeAPNs", "routing on the device"},
	{"ExcludeDeviceCommunication", "routing on the device"},
	{"EnableFallback", "a second tunnel over cellular for Wi-Fi Assist"},
	{"NATKeepAliveOffloadEnable", "keepalive offload to the device's hardware"},
	{"ProviderType", "for VPN apps; the built-in IKEv2 client ignores it"},
	{"ProviderBundleIdentifier", "for VPN apps; the built-in IKEv2 client ignores it"},
}

// iosIdentity writes an identifier as a strongSwan identity of the type
// iOS sends. iOS sends IP addresses as addresses, user@domain as an e-mail
// address and everything else as an FQDN, even distinguished names
// (strongSwan's notes on Apple profiles); strongSwan would read a value with
// '=' as a DN and honour its own type prefixes, so such values get an
// explicit fqdn: prefix.
func iosIdentity(v string) string {
	if v == "" {
		return ""
	}
	if _, err := netip.ParseAddr(v); err == nil {
		return v
	}
	if plainFQDN.MatchString(v) || plainEmail.MatchString(v) {
		return v
	}
	return "fqdn:" + v
}

var (
	plainFQDN  = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$`)
	plainEmail = regexp.MustCompile(`^[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
)

// dict reads values of a plist dictionary, recording the keys it reads.
type dict struct {
	m map[string]any
	// prefix is the key path of m for messages ("IKEv2.").
	prefix string
	// docPrefix is the key path the documentation uses, when it differs
	// (always-on tunnel keys are documented as IKEv2 keys).
	docPrefix string
	used      map[string]bool
	vars      map[string]string
}

func (d dict) docPrefixOr() string {
	if d.docPrefix != "" {
		return d.docPrefix
	}
	return d.prefix
}

func (d dict) use(key string) {
	if d.used != nil {
		d.used[d.docPrefixOr()+key] = true
	}
}

// str reads a string, filling {{tokens}} from vars.
func (d dict) str(key string) (string, bool) {
	d.use(key)
	v, ok := d.m[key].(string)
	if !ok {
		return "", false
	}
	return fillVars(v, d.vars), true
}

func (d dict) required(key string) (string, error) {
	d.use(key)
	raw, ok := d.m[key]
	if !ok {
		return "", profileErrorf(d.prefix+key, "is required and missing")
	}
	v, ok := raw.(string)
	if !ok {
		return "", profileErrorf(d.prefix+key, "is a %s, not a string", typeName(raw))
	}
	if v == "" {
		return "", profileErrorf(d.prefix+key, "is empty")
	}
	return fillVars(v, d.vars), nil
}

// flag reads an integer 0/1 (what Apple's schema uses) or a boolean (what
// some tools write).
func (d dict) flag(key string, def bool) (bool, error) {
	d.use(key)
	raw, ok := d.m[key]
	if !ok {
		return def, nil
	}
	if b, ok := raw.(bool); ok {
		return b, nil
	}
	n, ok := toInt(raw)
	if !ok || (n != 0 && n != 1) {
		return false, profileErrorf(d.prefix+key, "is %v; want the integer 0 or 1", raw)
	}
	return n == 1, nil
}

func (d dict) integer(key string) (int64, bool, error) {
	d.use(key)
	raw, ok := d.m[key]
	if !ok {
		return 0, false, nil
	}
	n, ok := toInt(raw)
	if !ok {
		return 0, false, profileErrorf(d.prefix+key, "is a %s, not an integer", typeName(raw))
	}
	return n, true, nil
}

func (d dict) sub(key string) (dict, bool, error) {
	d.use(key)
	raw, ok := d.m[key]
	if !ok {
		return dict{}, false, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return dict{}, false, profileErrorf(d.prefix+key, "is a %s, not a dictionary", typeName(raw))
	}
	return dict{m: m, prefix: d.prefix + key + ".", docPrefix: d.docPrefixOr() + key + ".", used: d.used, vars: d.vars}, true, nil
}

func (d dict) dicts(key string) ([]dict, bool, error) {
	return listOf(d, key, "a dictionary", func(e any) (dict, bool) {
		m, ok := e.(map[string]any)
		return dict{m: m, used: d.used, vars: d.vars}, ok
	})
}

func (d dict) strings(key string) ([]string, bool, error) {
	return listOf(d, key, "a string", func(e any) (string, bool) {
		s, ok := e.(string)
		return s, ok
	})
}

// listOf reads the array under key, each element converted by elem; an
// element elem refuses is an error that names its index and what it should
// be (want).
func listOf[T any](d dict, key, want string, elem func(any) (T, bool)) ([]T, bool, error) {
	d.use(key)
	raw, ok := d.m[key]
	if !ok {
		return nil, false, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, false, profileErrorf(d.prefix+key, "is a %s, not an array", typeName(raw))
	}
	var out []T
	for i, e := range list {
		v, ok := elem(e)
		if !ok {
			return nil, false, profileErrorf(fmt.Sprintf("%s%s[%d]", d.prefix, key, i), "is a %s, not %s", typeName(e), want)
		}
		out = append(out, v)
	}
	return out, true, nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		if x > 1<<62 {
			return 0, false
		}
		return int64(x), true
	case int:
		return int64(x), true
	}
	return 0, false
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case int64, uint64, int:
		return "integer"
	case float64:
		return "real"
	case []byte:
		return "data"
	case []any:
		return "array"
	case map[string]any:
		return "dictionary"
	case time.Time:
		return "date"
	}
	return fmt.Sprintf("%T", v)
}

// tokenPattern matches an MDM variable such as {{serialnumber}}.
var tokenPattern = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_.]+)\s*\}\}`)

// fillVars replaces {{name}} tokens that vars has a value for.
func fillVars(s string, vars map[string]string) string {
	if len(vars) == 0 || !strings.Contains(s, "{{") {
		return s
	}
	return tokenPattern.ReplaceAllStringFunc(s, func(tok string) string {
		name := tokenPattern.FindStringSubmatch(tok)[1]
		for k, v := range vars {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return tok
	})
}

// UnresolvedToken returns the first {{token}} left in s, or "".
func UnresolvedToken(s string) string {
	return tokenPattern.FindString(s)
}
