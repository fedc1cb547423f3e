package profile_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/graph2mobileconfig/graph2mobileconfig/profile"
)

func open(t *testing.T, data []byte) *profile.Profile {
	t.Helper()
	p, err := profile.Open(data, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTypedViewIKEv2(t *testing.T) {
	p := open(t, fixture(t, "psk-ondemand"))
	if len(p.Payloads) != 1 || p.Payloads[0].VPN == nil {
		t.Fatalf("payloads %+v", p.Payloads)
	}
	v := p.Payloads[0].VPN
	k := v.IKEv2
	if v.Type != "IKEv2" || v.UserDefinedName != "Warehouse VPN" || k == nil || !reflect.DeepEqual(map[string]any(v.Settings), map[string]any(k.Dict)) {
		t.Fatalf("vpn %+v", v)
	}
	got := []any{k.RemoteAddress, k.RemoteIdentifier, k.LocalIdentifier, k.AuthenticationMethod, k.ExtendedAuthEnabled, k.SharedSecret != "", k.EffectiveAuthenticationMethod()}
	want := []any{"203.0.113.10", "gw.warehouse.example", "", "SharedSecret", false, true, "SharedSecret"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IKEv2 %v, want %v", got, want)
	}
	if k.IKE == nil || k.IKE.EncryptionAlgorithm != "AES-256" || k.IKE.IntegrityAlgorithm != "SHA2-256" || k.IKE.DiffieHellmanGroup != 14 || k.IKE.LifeTimeInMinutes != 1440 {
		t.Errorf("IKE SA %+v", k.IKE)
	}
	if k.Child == nil || k.Child.EncryptionAlgorithm != "AES-128-GCM" || k.Child.DiffieHellmanGroup != 14 || k.Child.LifeTimeInMinutes != 480 {
		t.Errorf("child SA %+v", k.Child)
	}
	o := k.OnDemand
	if !o.Set || !o.Enabled || len(o.Rules) != 3 || o.Rules[0].Action != "Disconnect" || o.Rules[2].Action != "Connect" {
		t.Errorf("on demand %+v", o)
	}
	if ssids := o.Rules[0].Dict.Strings("SSIDMatch"); !reflect.DeepEqual(ssids, []string{"WAREHOUSE-SCAN"}) {
		t.Errorf("rule 1 SSIDMatch %v", ssids)
	}
}

func TestTypedViewAlwaysOnAndCertificates(t *testing.T) {
	p := open(t, fixture(t, "always-on"))
	var vpn *profile.VPN
	for _, pl := range p.Payloads {
		if pl.VPN != nil {
			vpn = pl.VPN
		}
	}
	if vpn == nil || vpn.Type != "AlwaysOn" || vpn.AlwaysOn == nil || len(vpn.AlwaysOn.Tunnels) != 1 {
		t.Fatalf("vpn %+v", vpn)
	}
	tun := vpn.AlwaysOn.Tunnels[0]
	if tun.RemoteAddress != "kiosk-vpn.contoso.example" || !reflect.DeepEqual(tun.Interfaces, []string{"Cellular", "WiFi"}) ||
		tun.AuthenticationMethod != "Certificate" || tun.CertificateType != "RSA" || tun.IKE.EncryptionAlgorithm != "AES-256-GCM" || tun.IKE.DiffieHellmanGroup != 19 {
		t.Errorf("tunnel %+v", tun)
	}
	// The identity the tunnel refers to, opened with the payload's own
	// password; the root CA among the trust anchors.
	id := p.PayloadByUUID(strings.ToLower(tun.PayloadCertificateUUID))
	if id == nil || id.Certificate == nil || id.Certificate.Kind != "pkcs12" || !id.Certificate.IsIdentity() || !id.Certificate.HasPassword {
		t.Fatalf("identity payload %+v", id)
	}
	identity, err := id.Certificate.Identity("")
	if err != nil || identity.Certificate.Subject.CommonName != "iphone-test.vpn.contoso.example" {
		t.Fatalf("Identity = %v, %v", identity, err)
	}
	if _, err := id.Certificate.Identity("wrong"); err == nil {
		t.Error("a wrong password opened the identity")
	}
	anchors := p.TrustAnchors()
	if len(anchors) != 1 || anchors[0].Subject.CommonName != "graph2mobileconfig Test Root CA" {
		t.Errorf("trust anchors %v", anchors)
	}
	if p.PayloadByUUID("no-such-uuid") != nil || p.PayloadByUUID("") != nil {
		t.Error("PayloadByUUID found a payload that does not exist")
	}
}

func TestTypedViewToleratesWrongTypes(t *testing.T) {
	data := []byte(`<plist><dict><key>PayloadType</key><string>Configuration</string><key>PayloadContent</key><array>
<string>not a payload</string>
<dict><key>PayloadType</key><string>com.apple.vpn.managed</string><key>VPNType</key><string>IKEv2</string>
<key>IKEv2</key><dict><key>RemoteAddress</key><integer>5</integer><key>ExtendedAuthEnabled</key><true/>
<key>AuthenticationMethod</key><string>None</string><key>MTU</key><string>1400</string>
<key>IKESecurityAssociationParameters</key><string>AES</string><key>EnablePFS</key><integer>2</integer></dict></dict>
<dict><key>PayloadType</key><string>com.apple.security.root</string><key>PayloadContent</key><data>AAEC</data></dict>
</array></dict></plist>`)
	p := open(t, data)
	if len(p.Payloads) != 3 || p.Payloads[0].Problem != "the payload is a string, not a dictionary" {
		t.Fatalf("payloads %+v", p.Payloads)
	}
	k := p.Payloads[1].VPN.IKEv2
	if k.RemoteAddress != "" || !k.ExtendedAuthEnabled || k.MTU != 0 || k.IKE != nil || k.EnablePFS || k.EffectiveAuthenticationMethod() != "None" {
		t.Errorf("IKEv2 %+v", k)
	}
	if c := p.Payloads[2].Certificate; c == nil || !strings.HasPrefix(c.Problem, "the certificate data cannot be read") {
		t.Errorf("root payload %+v", c)
	}
}
