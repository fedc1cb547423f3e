package compiler

import (
	"regexp"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
	"github.com/graph2mobileconfig/graph2mobileconfig/graphjson"
)

// authPlan is the Apple side of Graph's authentication settings.
type authPlan struct {
	method   string // AuthenticationMethod: Certificate, SharedSecret or None
	eap      bool   // ExtendedAuthEnabled
	identity bool   // a client identity is referenced (machine auth or EAP-TLS)
	tls      bool   // EAP-TLS: the TLS version keys apply
}

var uuidPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// emitAuthentication maps authenticationMethod, clientAuthenticationType
// and enableEAP together: they are one decision on the Apple side.
func emitAuthentication(b *build) {
	c := b.cfg
	if c.AuthenticationMethod == nil {
		b.errorf("missing-value", "authenticationMethod", "IKEv2.AuthenticationMethod", "authenticationMethod is required; for IKEv2 use certificate or sharedSecret (or usernameAndPassword with userAuthentication)")
		return
	}
	method := *c.AuthenticationMethod
	client := graphjson.ClientAuthUserAuthentication
	if c.ClientAuthenticationType != nil {
		client = *c.ClientAuthenticationType
	} else {
		if method == graphjson.AuthMethodSharedSecret {
			client = graphjson.ClientAuthDeviceAuthentication
		}
		b.warnf("assumed-value", "clientAuthenticationType", "IKEv2.ExtendedAuthEnabled", "clientAuthenticationType is not set; %s is assumed", client)
	}
	device := client == graphjson.ClientAuthDeviceAuthentication
	eapOnly := val(c.EnableEAP)
	if device && eapOnly {
		b.warnf("ignored-setting", "enableEAP", "IKEv2.ExtendedAuthEnabled", "ignored: enableEAP applies to user authentication; with deviceAuthentication the device authenticates with its certificate or the shared secret, without EAP")
	}
	userMethod := func() string {
		if eapOnly {
			return "None"
		}
		return "Certificate"
	}

	var plan authPlan
	switch method {
	case graphjson.AuthMethodAzureAD:
		b.errorf("unsupported-auth", "authenticationMethod", "IKEv2.AuthenticationMethod", "azureAD authentication is for Microsoft Tunnel and partner VPN apps; the native IKEv2 client supports certificate, sharedSecret (device) or usernameAndPassword (user)")
		return
	case graphjson.AuthMethodSharedSecret:
		if !device {
			b.errorf("unsupported-auth", "authenticationMethod", "IKEv2.AuthenticationMethod", "sharedSecret works only with clientAuthenticationType deviceAuthentication (Intune: \"Shared secret (machine authentication only)\"); set clientAuthenticationType to deviceAuthentication, or choose certificate")
			return
		}
		if !has(c.SharedSecret) {
			b.hinted(diag.Error, "missing-value", "sharedSecret", "IKEv2.SharedSecret", varHint("token"), "authenticationMethod sharedSecret needs the shared secret, but sharedSecret is empty: put the secret in the export, or a {{token}} there and a value for it")
			return
		}
		plan = authPlan{method: "SharedSecret"}
		b.setIKE("SharedSecret", *c.SharedSecret, "sharedSecret")
		b.secrets = true
	case graphjson.AuthMethodCertificate, graphjson.AuthMethodDerivedCredential:
		if device {
			plan = authPlan{method: "Certificate", identity: true}
		} else {
			plan = authPlan{method: userMethod(), eap: true, identity: true, tls: true}
		}
	case graphjson.AuthMethodUsernameAndPassword:
		if device {
			b.errorf("unsupported-auth", "authenticationMethod", "IKEv2.AuthenticationMethod", "usernameAndPassword is user authentication: set clientAuthenticationType to userAuthentication, or choose certificate or sharedSecret for device authentication")
			return
		}
		plan = authPlan{method: userMethod(), eap: true}
	}
	b.auth = plan
	b.setIKE("AuthenticationMethod", plan.method, "authenticationMethod")
	b.setIKE("ExtendedAuthEnabled", flag(plan.eap), "clientAuthenticationType")

	if method != graphjson.AuthMethodSharedSecret && has(c.SharedSecret) {
		b.warnf("ignored-setting", "sharedSecret", "IKEv2.SharedSecret", "ignored: a shared secret is set but authenticationMethod is %s; it is not written", method)
	}
	b.referenceIdentity(method)
}

// referenceIdentity links the VPN to the client identity when the
// authentication needs one.
func (b *build) referenceIdentity(method graphjson.VpnAuthenticationMethod) {
	if !b.auth.identity {
		if b.opts.Identity != nil || b.opts.IdentityUUID != "" {
			b.warnf("identity-unused", "authenticationMethod", "IKEv2.PayloadCertificateUUID", "the client identity given is not used: %s authentication needs no client certificate, so none is embedded", method)
		}
		b.certificateIdentityUnused(string(method) + " authentication needs no client certificate")
		return
	}
	switch {
	case b.opts.Identity != nil:
		b.setIKE("PayloadCertificateUUID", PayloadUUID(b.identifier+identitySuffix), "authenticationMethod")
		b.secrets = true
		b.certificateIdentityUnused("the client identity is given to embed instead")
	case b.opts.IdentityUUID != "":
		b.certificateIdentityUnused("an identity UUID references the client identity instead")
		if !uuidPattern.MatchString(b.opts.IdentityUUID) {
			b.errorf("bad-identity-uuid", "authenticationMethod", "IKEv2.PayloadCertificateUUID", "the identity UUID %q is not a UUID", b.opts.IdentityUUID)
			return
		}
		b.setIKE("PayloadCertificateUUID", b.opts.IdentityUUID, "authenticationMethod")
		b.warnf("external-identity", "authenticationMethod", "IKEv2.PayloadCertificateUUID", "PayloadCertificateUUID references %s, which is not in this profile: the MDM must deliver an identity payload (SCEP, ACME or PKCS#12) with that PayloadUUID in the same profile, or the device cannot install it", b.opts.IdentityUUID)
	case b.certs.identity != nil:
		b.referenceCertificateIdentity()
	case method == graphjson.AuthMethodDerivedCredential:
		b.hinted(diag.Error, "missing-identity", "authenticationMethod", "IKEv2.PayloadCertificateUUID", identityHint, "derivedCredential authentication uses a smart-card derived credential that Intune delivers itself, and the export does not contain it")
	default:
		b.hinted(diag.Error, "missing-identity", "authenticationMethod", "IKEv2.PayloadCertificateUUID", identityOrExport, "certificate authentication needs a client identity, which the export does not contain (Intune links it as a separate certificate profile)")
	}
}
