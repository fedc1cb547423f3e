package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// appleDHGroups are the Diffie-Hellman groups Apple's schema allows.
var appleDHGroups = []int{1, 2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 31, 32}

// securityAssociation maps one Graph SA proposal to Apple's dictionary.
// Apple sends exactly one proposal, so a value it cannot express is an error:
// the tunnel must never fall back to different crypto than the admin chose.
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

	if e := p.SecurityEncryptionAlgorithm; e != nil {
		member := rel + ".securityEncryptionAlgorithm"
		switch *e {
		case graphjson.EncryptionAes192:
			b.errorf("unsupported-value", member, base+".EncryptionAlgorithm", "Apple's IKEv2 client has no AES-192; choose aes256 (AES-256) or aes128 (AES-128)")
		case graphjson.EncryptionAes192Gcm:
			b.errorf("unsupported-value", member, base+".EncryptionAlgorithm", "Apple's IKEv2 client has no AES-192-GCM; choose aes256Gcm (AES-256-GCM) or aes128Gcm (AES-128-GCM)")
		default:
			names := map[graphjson.VpnEncryptionAlgorithmType]string{
				graphjson.EncryptionAes128: "AES-128", graphjson.EncryptionAes256: "AES-256",
				graphjson.EncryptionAes128Gcm: "AES-128-GCM", graphjson.EncryptionAes256Gcm: "AES-256-GCM",
				graphjson.EncryptionDes: "DES", graphjson.EncryptionTripleDes: "3DES",
				graphjson.EncryptionChaCha20Poly1305: "ChaCha20Poly1305",
			}
			set("EncryptionAlgorithm", names[*e], "securityEncryptionAlgorithm")
			if *e == graphjson.EncryptionDes || *e == graphjson.EncryptionTripleDes {
				b.warnf("weak-crypto", member, base+".EncryptionAlgorithm", "%s is a weak cipher; Apple accepts it, but choose aes256Gcm or aes256 unless the server cannot do better", names[*e])
			}
		}
	} else {
		unset = append(unset, "securityEncryptionAlgorithm (device default AES-256)")
	}

	if in := p.SecurityIntegrityAlgorithm; in != nil {
		member := rel + ".securityIntegrityAlgorithm"
		if *in == graphjson.IntegrityMd5 {
			b.errorf("unsupported-value", member, base+".IntegrityAlgorithm", "Apple's IKEv2 client has no MD5 integrity; choose sha2_256 (SHA2-256) or stronger")
		} else {
			names := map[graphjson.VpnIntegrityAlgorithmType]string{
				graphjson.IntegritySha196: "SHA1-96", graphjson.IntegritySha1160: "SHA1-160",
				graphjson.IntegritySha2256: "SHA2-256", graphjson.IntegritySha2384: "SHA2-384", graphjson.IntegritySha2512: "SHA2-512",
			}
			set("IntegrityAlgorithm", names[*in], "securityIntegrityAlgorithm")
			if *in == graphjson.IntegritySha196 || *in == graphjson.IntegritySha1160 {
				b.warnf("weak-crypto", member, base+".IntegrityAlgorithm", "%s is SHA-1 based and weak; Apple accepts it, but choose sha2_256 or stronger unless the server cannot do better", names[*in])
			}
		}
	} else {
		unset = append(unset, "securityIntegrityAlgorithm (device default SHA2-256)")
	}

	if g := p.SecurityDiffieHellmanGroup; g != nil {
		member := rel + ".securityDiffieHellmanGroup"
		group := int(*g)
		switch {
		case !slices.Contains(appleDHGroups, group):
			b.errorf("unsupported-value", member, base+".DiffieHellmanGroup", "Diffie-Hellman group %d is not one Apple offers (%s); %s", group, joinInts(appleDHGroups), nearestGroups(group))
		default:
			set("DiffieHellmanGroup", group, "securityDiffieHellmanGroup")
			if group == 1 || group == 2 || group == 5 {
				b.warnf("weak-crypto", member, base+".DiffieHellmanGroup", "Diffie-Hellman group %d is weak (a MODP group under 2048 bits); Apple accepts it, but choose 14, 19, 20 or 21 unless the server cannot do better", group)
			}
		}
	} else {
		unset = append(unset, "securityDiffieHellmanGroup (device default 14)")
	}

	if l := p.LifetimeInMinutes; l != nil {
		member := rel + ".lifetimeInMinutes"
		if *l < 10 || *l > 1440 {
			b.errorf("out-of-range", member, base+".LifeTimeInMinutes", "a lifetime of %d minutes is outside Apple's range 10 to 1440", *l)
		} else {
			set("LifeTimeInMinutes", int(*l), "lifetimeInMinutes")
		}
	} else {
		unset = append(unset, "lifetimeInMinutes (device default 1440)")
	}

	if d.Len() == 0 {
		b.infof("device-default", rel, base, "no member is set; %s is left out and the device defaults apply", base)
		return
	}
	if len(unset) > 0 && !val(allowDefault) {
		b.infof("device-default", rel, base, "not set, so the device default applies: %s", strings.Join(unset, ", "))
	}
	b.ike.Set(appleKey, d)
	b.recordIKE(appleKey, rel, "")
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
