package compiler_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/compiler"
	"github.com/graph2mobileconfig/graph2mobileconfig/plistout"
)

func keysOf(d *compiler.Dict) []string {
	var out []string
	for i := range d.Len() {
		k, _ := d.At(i)
		out = append(out, k)
	}
	return out
}

func TestDictKeepsKeysSorted(t *testing.T) {
	var d compiler.Dict
	for _, k := range []string{"VPNType", "IKEv2", "PayloadUUID", "AlwaysOn", "PayloadType", "IKEv2"} {
		d.Set(k, k+"-value")
	}
	d.Set("IKEv2", 2) // replaces, does not add
	if got, want := keysOf(&d), []string{"AlwaysOn", "IKEv2", "PayloadType", "PayloadUUID", "VPNType"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	if v, ok := d.Get("IKEv2"); !ok || v != 2 {
		t.Errorf("Get(IKEv2) = %v, %v; want 2, true", v, ok)
	}
	d.Delete("PayloadType")
	d.Delete("NoSuchKey")
	if got, want := keysOf(&d), []string{"AlwaysOn", "IKEv2", "PayloadUUID", "VPNType"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after Delete: keys %q, want %q", got, want)
	}
	if _, ok := d.Get("PayloadType"); ok {
		t.Error("a deleted key is still found")
	}
	var none *compiler.Dict
	if _, ok := none.Get("x"); ok {
		t.Error("a nil Dict has a key")
	}
}

func TestDictOfAndMapRoundTrip(t *testing.T) {
	m := map[string]any{
		"b": 1,
		"a": []any{map[string]any{"z": "y"}},
		"c": map[string]any{"k": []string{"v"}},
	}
	d := compiler.DictOf(m)
	if got, want := keysOf(d), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	if got := d.Map(); !reflect.DeepEqual(got, m) {
		t.Errorf("Map() = %#v, want %#v", got, m)
	}
}

// TestProfileEncodesAlikeInBothFormats checks that the compiler's model, a
// tree of Dicts, comes out the same through the XML writer and through
// howett.net/plist's binary encoder (which sees it as maps), and the same as
// the plain-map form of the model.
func TestProfileEncodesAlikeInBothFormats(t *testing.T) {
	cfg, path := decode(t, fixture(t, "always-on"))
	res := compiler.Compile(compiler.Input{Config: cfg, Path: path}, compiler.Options{IdentityUUID: "11111111-2222-4333-8444-555555555555", Vars: map[string]string{"devicefqdn": "x.example"}})
	if res.Profile == nil {
		t.Fatal(all(res.Diagnostics))
	}
	want := res.Profile.Map()
	plain, err := plistout.Encode(want, plistout.XML)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []plistout.Format{plistout.XML, plistout.Binary} {
		data, err := plistout.Encode(res.Profile, f)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		got, gotFormat, err := plistout.Decode(data)
		if err != nil || gotFormat != f {
			t.Fatalf("%v: decoded as %v: %v", f, gotFormat, err)
		}
		again, _ := plistout.Encode(got, plistout.XML)
		if string(again) != string(plain) {
			t.Errorf("%v: the profile decodes to something else than its map form", f)
		}
		if f == plistout.XML && string(data) != string(plain) {
			t.Errorf("the Dict and its map form give different XML")
		}
	}
}

// TestDictAgreesWithAMap drives a Dict and a map through the same random
// sets, deletes and reads, and checks that they always agree, keys in order.
func TestDictAgreesWithAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var d compiler.Dict
		m := map[string]any{}
		for op := range rng.IntN(80) {
			key := fmt.Sprintf("k%02d", rng.IntN(40))
			switch rng.IntN(6) {
			case 0:
				d.Delete(key)
				delete(m, key)
			case 1:
				got, ok := d.Get(key)
				want, wantOK := m[key]
				if ok != wantOK || got != want {
					t.Fatalf("round %d op %d: Get(%s) = %v, %v; want %v, %v", round, op, key, got, ok, want, wantOK)
				}
			default:
				d.Set(key, op)
				m[key] = op
			}
		}
		want := slices.Sorted(maps.Keys(m))
		if got := keysOf(&d); !slices.Equal(got, want) {
			t.Fatalf("round %d: keys %q, want %q", round, got, want)
		}
		if got := d.Map(); !reflect.DeepEqual(got, m) && len(m) > 0 {
			t.Fatalf("round %d: %v, want %v", round, got, m)
		}
	}
}
