package appleschema_test

import (
	"slices"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler/appleschema"
)

// TestValueLimitsMatchTheTable checks that every limited value is one the
// key allows: a newer copy of Apple's schema that drops DES from the list
// must make someone revisit the limit.
func TestValueLimitsMatchTheTable(t *testing.T) {
	limits := appleschema.ValueLimits()
	if len(limits) != 8 {
		t.Errorf("%d value limits, want 8 (3 per SA dictionary, 2 for TLS)", len(limits))
	}
	for _, l := range limits {
		k, _, ok := appleschema.Find(vpn, l.Path)
		if !ok {
			t.Errorf("%s is not a key of %s", l.Path, vpn)
			continue
		}
		for _, v := range l.Values {
			if !slices.Contains(k.RangeList, v) {
				t.Errorf("%s: %#v is not in the key's range list %v", l.Path, v, k.RangeList)
			}
		}
		if l.Introduced == "" && l.Removed == "" || l.Source == "" {
			t.Errorf("%s: a limit needs a version and a source: %+v", l.Path, l)
		}
	}
}

func TestLimitOf(t *testing.T) {
	for _, c := range []struct {
		path    string
		v       any
		found   bool
		ios     string
		allowed bool
	}{
		{"IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm", "3DES", true, "18.7", true},
		{"IKEv2.IKESecurityAssociationParameters.EncryptionAlgorithm", "3DES", true, "26.0", false},
		{"IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup", 5, true, "26.1", false},
		{"IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup", uint64(2), true, "25.9", true},
		{"IKEv2.ChildSecurityAssociationParameters.DiffieHellmanGroup", 14, false, "26.0", true},
		{"IKEv2.IKESecurityAssociationParameters.IntegrityAlgorithm", "SHA1-160", true, "26.0", false},
		{"IKEv2.IKESecurityAssociationParameters.IntegrityAlgorithm", "SHA2-256", false, "26.0", true},
		{"IKEv2.TLSMaximumVersion", "1.3", true, "26.4", false},
		{"IKEv2.TLSMaximumVersion", "1.3", true, "27.0", true},
		{"IKEv2.TLSMaximumVersion", "1.2", false, "9.0", true},
	} {
		l, found := appleschema.LimitOf(c.path, c.v)
		if found != c.found {
			t.Errorf("LimitOf(%s, %v) found=%v", c.path, c.v, found)
			continue
		}
		if found && l.Supported(c.ios) != c.allowed {
			t.Errorf("LimitOf(%s, %v).Supported(%s) = %v", c.path, c.v, c.ios, !c.allowed)
		}
	}
}

// TestRetiredKeysAreRetired checks that no retired key is back in the
// table; if Apple restores one, the list must lose it.
func TestRetiredKeysAreRetired(t *testing.T) {
	for _, k := range appleschema.RetiredKeys() {
		if _, _, ok := appleschema.Find(k.Payload, k.Path); ok {
			t.Errorf("%s %s is in the current schema again; drop it from the retired keys", k.Payload, k.Path)
		}
		if _, ok := appleschema.Retired(k.Payload, k.Path); !ok {
			t.Errorf("Retired(%s, %s) does not find it", k.Payload, k.Path)
		}
	}
}
