package compiler

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// appleDHGroups are the Diffie-Hellman groups Apple's schema allows.
var appleDHGroups = []int{1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32}

// alwaysOnMinDHGroup and alwaysOnDHSince are Apple's limit for Always On:
// "For AlwaysOn VPN in iOS 14.2 and later, the minimum allowed value is 14"
// (Apple's schema, DiffieHellmanGroup).
const (
	alwaysOnMinDHGroup = 14
	alwaysOnDHSince    = "14.2"
)

// The Apple names of Graph's algorithms (read-only).
var (
	encryptionNames = map[graphjson.VpnEncryptionAlgorithmType]string{
		graphjson.EncryptionAes128: "AES-128", graphjson.EncryptionAes256: "AES-256",
		graphjson.EncryptionAes128Gcm: "AES-128-GCM", graphjson.EncryptionAes256Gcm: "AES-256-GCM",
		graphjson.EncryptionDes: "DES", graphjson.EncryptionTripleDes: "3DES",
		graphjson.EncryptionChaCha20Poly1305: "ChaCha20Poly1305",
	}
	integrityNames = map[graphjson.VpnIntegrityAlgorithmType]string{
		graphjson.IntegritySha196: "SHA1-96", graphjson.IntegritySha1160: "SHA1-160",
		graphjson.IntegritySha2256: "SHA2-256", graphjson.IntegritySha2384: "SHA2-384", graphjson.IntegritySha2512: "SHA2-512",
	}
)

// securityAssociation maps one Graph SA proposal to Apple's dictionary.
// Apple sends exactly one proposal, so a value it cannot express, or one the
// target refuses, is an error: the tunnel must never fall back to different
// crypto than the admin chose.
func (b *build) securityAssociation(appleKey string, p *graphjson.IosVpnSecurityAssociationParameters, rel string, allowDefault *bool) {
	if p == nil {
		return
	}
	base := "IKEv2." + appleKey
	d := &Dict{entries: make([]Entry, 0, 8)}
	set := func(key string, v any, member string) {
		d.Set(key, v)
		b.recordIKE(appleKey+"."+key, rel, member)
	}
	var unset []string
	failed := false

	if e := p.SecurityEncryptionAlgorithm; e != nil {
		member := rel + ".securityEncryptionAlgorithm"
		switch *e {
		case graphjson.EncryptionAes192:
			b.errorf("unsupported-value", member, base+".EncryptionAlgorithm", "Apple's IKEv2 client has no AES-192; choose aes256 (AES-256) or aes128 (AES-128)")
			failed = true
		case graphjson.EncryptionAes192Gcm:
			b.errorf("unsupported-value", member, base+".EncryptionAlgorithm", "Apple's IKEv2 client has no AES-192-GCM; choose aes256Gcm (AES-256-GCM) or aes128Gcm (AES-128-GCM)")
			failed = true
		default:
			name := encryptionNames[*e]
			if b.weakValue(member, base+".EncryptionAlgorithm", name, name+" is a weak cipher", "choose aes256Gcm (AES-256-GCM) or aes256 (AES-256)") {
				set("EncryptionAlgorithm", name, "securityEncryptionAlgorithm")
			} else {
				failed = true
			}
		}
	} else {
		unset = append(unset, "securityEncryptionAlgorithm (device default AES-256)")
	}

	if in := p.SecurityIntegrityAlgorithm; in != nil {
		member := rel + ".securityIntegrityAlgorithm"
		if *in == graphjson.IntegrityMd5 {
			b.errorf("unsupported-value", member, base+".IntegrityAlgorithm", "Apple's IKEv2 client has no MD5 integrity; choose sha2_256 (SHA2-256) or stronger")
			failed = true
		} else {
			name := integrityNames[*in]
			if b.weakValue(member, base+".IntegrityAlgorithm", name, name+" is SHA-1 based and weak", "choose sha2_256 (SHA2-256) or stronger") {
				set("IntegrityAlgorithm", name, "securityIntegrityAlgorithm")
			} else {
				failed = true
			}
		}
	} else {
		unset = append(unset, "securityIntegrityAlgorithm (device default SHA2-256)")
	}

	if g := p.SecurityDiffieHellmanGroup; g != nil {
		member := rel + ".securityDiffieHellmanGroup"
		key := base + ".DiffieHellmanGroup"
		group := int(*g)
		switch {
		case !slices.Contains(appleDHGroups, group):
			b.errorf("unsupported-value", member, key, "Diffie-Hellman group %d is not one Apple offers (%s); %s", group, joinInts(appleDHGroups), nearestGroups(group))
			failed = true
		case b.alwaysOn && group < alwaysOnMinDHGroup && appleschema.CompareVersions(b.target.Version, alwaysOnDHSince) >= 0:
			// Apple refuses it: leaving the group out would make the
			// device negotiate a group the admin did not choose.
			b.errorf("target-unsupported", member, key, "an Always On VPN on iOS %s and later accepts Diffie-Hellman group %d or higher, and the target is %s: group %d would be refused; choose 14, 19, 20 or 21 (and the same on the server)", alwaysOnDHSince, alwaysOnMinDHGroup, b.target.label(), group)
			failed = true
		case b.weakValue(member, key, group, fmt.Sprintf("Diffie-Hellman group %d is weak (a MODP group under 2048 bits)", group), "choose 14, 19, 20 or 21"):
			set("DiffieHellmanGroup", group, "securityDiffieHellmanGroup")
		default:
			failed = true
		}
	} else {
		unset = append(unset, "securityDiffieHellmanGroup (device default 14)")
	}

	if l := p.LifetimeInMinutes; l != nil {
		member := rel + ".lifetimeInMinutes"
		if *l < 10 || *l > 1440 {
			b.errorf("out-of-range", member, base+".LifeTimeInMinutes", "a lifetime of %d minutes is outside Apple's range 10 to 1440", *l)
			failed = true
		} else {
			set("LifeTimeInMinutes", int(*l), "lifetimeInMinutes")
		}
	} else {
		unset = append(unset, "lifetimeInMinutes (device default 1440)")
	}

	switch {
	case failed:
		// The errors say what is wrong; the profile is not written, so
		// no device default applies to anything.
		return
	case d.Len() == 0:
		b.infof("device-default", rel, base, "no member is set; %s is left out and the device defaults apply", base)
		return
	case len(unset) > 0 && !val(allowDefault):
		b.infof("device-default", rel, base, "not set, so the device default applies: %s", strings.Join(unset, ", "))
	}
	b.ike.Set(appleKey, d)
	b.recordIKE(appleKey, rel, "")
}

// weakValue applies Apple's limits on an SA value (appleschema.ValueLimits)
// for the target: a value the target refuses is an error, a value that only
// older versions accept is a warning. It reports whether the value may be
// written.
func (b *build) weakValue(member, key string, v any, weak, better string) bool {
	l, limited := appleschema.LimitOf(key, v)
	if !limited {
		return true
	}
	if !l.Supported(b.target.Version) {
		b.hinted(diag.Error, "target-unsupported", member, key, olderTargetHint, "%s, and Apple's IKEv2 client refuses it from iOS %s: the target %s would refuse the profile; %s", weak, l.Removed, b.target.label(), better)
		return false
	}
	b.warnf("weak-crypto", member, key, "%s; the target %s accepts it, but iOS %s and later refuse it: %s unless the server cannot do better", weak, b.target.label(), l.Removed, better)
	return true
}

// emitAlgorithms writes the settings beyond the Graph model
// (Options.Algorithms) and, with strict algorithm selection, refuses the
// security associations the device would reject.
func (b *build) emitAlgorithms() {
	a := b.opts.Algorithms
	if a.IsZero() {
		return
	}
	if err := a.check(b.target); err != nil {
		b.errorf("target-unsupported", "", "", "%v", err)
		return
	}
	if len(a.PostQuantum) > 0 {
		methods := make([]any, len(a.PostQuantum))
		for i, m := range a.PostQuantum {
			methods[i] = int(m)
		}
		ike := b.saDict(ikeSAKey)
		child, hasChild := b.ike.Get(childSAKey)
		childDict, _ := child.(*Dict)
		if !hasChild || childDict == nil {
			// Without a child dictionary the child SA uses the IKE
			// values; a new one must carry them, or the child SA would
			// fall back to the device defaults.
			childDict = &Dict{}
			for _, e := range ike.entries {
				childDict.Set(e.Key, e.Value)
			}
			b.ike.Set(childSAKey, childDict)
			b.recordIKE(childSAKey, "", "")
			if ike.Len() > 0 {
				b.infof("post-quantum", "", "IKEv2."+childSAKey, "ChildSecurityAssociationParameters is written with the IKE SA's values and the post-quantum key exchanges, since the export has none and the child SA uses the IKE SA's values")
			}
		}
		ike.Set(pqMethodsKey, methods)
		b.recordIKE(ikeSAKey+"."+pqMethodsKey, "", "")
		childDict.Set(pqMethodsKey, slices.Clone(methods))
		b.recordIKE(childSAKey+"."+pqMethodsKey, "", "")
		if a.PostQuantumFallback {
			b.ike.Set(pqFallbackKey, 1)
			b.recordIKE(pqFallbackKey, "", "")
		}
	}
	if a.StrictSelection {
		for _, v := range AlgorithmsOf(b.ike.Map()).StrictViolations() {
			b.hinted(diag.Error, "strict-algorithms", b.originOr(ikePrefix+v.Key, ""), ikePrefix+v.Key, noStrictAlgHint, "%s, and strict algorithm selection (EnforceStrictAlgorithmSelection) makes the device refuse the whole VPN payload: choose AES-256-GCM (or AES-256) and group 14, 19, 20 or 21, with a cipher for the IKE SA at least as strong as the child SA's", v.Message)
		}
		b.ike.Set(strictSelectionKey, 1)
		b.recordIKE(strictSelectionKey, "", "")
	}
}

// saDict returns the IKEv2 dictionary's security-association dictionary at
// key, adding an empty one when the export has none.
func (b *build) saDict(key string) *Dict {
	if cur, ok := b.ike.Get(key); ok {
		if d, ok := cur.(*Dict); ok {
			return d
		}
	}
	d := &Dict{}
	b.ike.Set(key, d)
	b.recordIKE(key, "", "")
	return d
}

// originOr returns the Graph property a key came from, or the parent
// dictionary's, or fallback.
func (b *build) originOr(key, fallback string) string {
	for k := key; k != ""; {
		if o := b.origin(k); o != "" {
			return o
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return fallback
}

// check refuses settings the target cannot honour, and a fallback without
// the exchanges it falls back from.
func (a Algorithms) check(t Target) error {
	type need struct {
		on          bool
		field, what string
		key         string
	}
	for _, n := range []need{
		{a.StrictSelection, "Algorithms.StrictSelection", "strict algorithm selection", "IKEv2." + strictSelectionKey},
		{len(a.PostQuantum) > 0, "Algorithms.PostQuantum", "post-quantum key exchanges", "IKEv2." + ikeSAKey + "." + pqMethodsKey},
		{a.PostQuantumFallback, "Algorithms.PostQuantumFallback", "the post-quantum fallback", "IKEv2." + pqFallbackKey},
	} {
		if !n.on {
			continue
		}
		sup, ok := appleschema.SupportOf(vpnPayloadType, n.key)
		if !ok {
			panic("compiler: Apple's schema lost " + n.key)
		}
		if !sup.Supported(t.Version) {
			return &OptionError{n.field, fmt.Errorf("%s needs %s, which iOS %s introduced; the target is %s", n.what, n.key, sup.Introduced, t.label())}
		}
	}
	if a.PostQuantumFallback && len(a.PostQuantum) == 0 {
		return &OptionError{"Algorithms.PostQuantumFallback", errors.New("the post-quantum fallback needs post-quantum key exchanges to fall back from")}
	}
	if len(a.PostQuantum) > MaxPostQuantum {
		return &OptionError{"Algorithms.PostQuantum", fmt.Errorf("%d post-quantum key exchanges; Apple accepts at most %d", len(a.PostQuantum), MaxPostQuantum)}
	}
	for _, m := range a.PostQuantum {
		if m != MLKEM768 && m != MLKEM1024 {
			return &OptionError{"Algorithms.PostQuantum", fmt.Errorf("post-quantum key exchange %s is not one Apple offers (mlkem768, mlkem1024)", m)}
		}
	}
	return nil
}

// Check reports options that cannot work for their target, so that a caller
// can refuse them before compiling anything; Compile reports the same
// problems as errors.
func (o Options) Check() error {
	t := o.Target
	if t.IsZero() {
		t = DefaultTarget()
	}
	if err := o.Algorithms.check(t); err != nil {
		return err
	}
	if err := checkVars(o.Vars); err != nil {
		return &OptionError{"Vars", err}
	}
	return nil
}

// nearestGroups suggests the valid groups on either side of an invalid one.
func nearestGroups(g int) string {
	lower, higher := 0, 0
	for _, v := range appleDHGroups {
		if v < g {
			lower = v
		}
		if v > g && higher == 0 {
			higher = v
		}
	}
	switch {
	case lower != 0 && higher != 0:
		return fmt.Sprintf("the nearest valid groups are %d and %d (14, 19, 20 and 21 are the usual strong choices)", lower, higher)
	case higher != 0:
		return fmt.Sprintf("the nearest valid group is %d (14, 19, 20 and 21 are the usual strong choices)", higher)
	default:
		return fmt.Sprintf("the nearest valid group is %d", lower)
	}
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
