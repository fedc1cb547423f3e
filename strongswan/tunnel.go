package strongswan

import (
	"crypto"
	"crypto/x509"
	"net/netip"
	"strings"
	"time"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// Profile is what this package takes from a configuration profile: its
// names and its IKEv2 tunnels, each already mapped to strongSwan terms.
type Profile struct {
	// Identifier and DisplayName are the profile's top-level
	// PayloadIdentifier and PayloadDisplayName.
	Identifier, DisplayName string
	// SHA256 is the hex SHA-256 of the profile file, set by the caller that
	// read the file; configurations name it so that they say which exact
	// profile they match.
	SHA256 string
	// VPNPayload is the PayloadIdentifier of the VPN payload the tunnels
	// come from.
	VPNPayload string
	// Name is the VPN's UserDefinedName.
	Name string
	// VPNType is IKEv2 or AlwaysOn.
	VPNType string
	// Tunnels holds one tunnel for VPNType IKEv2, one per
	// TunnelConfigurations entry for AlwaysOn.
	Tunnels []*Tunnel
	// IOS is the iOS version whose default proposals were used.
	IOS string
}

// Method is an IKEv2 authentication method in strongSwan's words.
type Method string

// The authentication methods an iOS IKEv2 profile can ask for.
const (
	MethodPSK         Method = "psk"
	MethodPubkey      Method = "pubkey"
	MethodEAPMSCHAPv2 Method = "eap-mschapv2"
	MethodEAPTLS      Method = "eap-tls"
)

// Auth is the authentication of a tunnel: how each side proves itself.
type Auth struct {
	// Server is how the VPN server authenticates: psk or pubkey.
	Server Method
	// Client is how the device authenticates: psk, pubkey, eap-mschapv2
	// or eap-tls.
	Client Method
	// EAPOnly is set for AuthenticationMethod None with ExtendedAuthEnabled:
	// the device announces EAP-only authentication (RFC 5998); a strongSwan
	// server still proves itself with its certificate, which the device
	// checks.
	EAPOnly bool
	// Method and Extended are the profile's AuthenticationMethod and
	// ExtendedAuthEnabled, for messages.
	Method   string
	Extended bool
}

// Identity is the client identity of a tunnel: the PKCS#12 payload that
// PayloadCertificateUUID names.
type Identity struct {
	Certificate *x509.Certificate
	Key         crypto.Signer
	// Chain holds the intermediates that came with the certificate.
	Chain []*x509.Certificate
	// PayloadUUID is the UUID of the payload it came from ("" when it was
	// given in ReadOptions.Identity).
	PayloadUUID string
	// Source says where an identity given in ReadOptions.Identity comes
	// from ("the file device.pem"), for reports.
	Source string
}

// Enrollment is the SCEP payload through which the device obtains the
// identity PayloadCertificateUUID names: the device makes the key and
// enrolls the certificate itself, so the profile never carries them, and a
// dial needs the certificate enrolled with these parameters (ReadOptions.
// Identity).
type Enrollment struct {
	// PayloadType is com.apple.security.scep; PayloadIdentifier and
	// PayloadUUID name the payload.
	PayloadType, PayloadIdentifier, PayloadUUID string
	// URL is the SCEP server the device enrolls from.
	URL string
	// Subject is the subject the device asks for, in certificate order:
	// RDNs of [OID or Apple short name, value] pairs, MDM variables filled
	// from ReadOptions.Vars where given.
	Subject [][][2]string
	// KeySize is the RSA key size the device makes (Apple's default 1024
	// when Keysize is absent).
	KeySize int
}

// SubjectString writes Subject the way certificates are usually shown,
// most specific RDN first: "CN=a,OU=b,O=c,C=US".
func (e *Enrollment) SubjectString() string {
	var rdns []string
	for i := len(e.Subject) - 1; i >= 0; i-- {
		var attrs []string
		for _, a := range e.Subject[i] {
			attrs = append(attrs, a[0]+"="+a[1])
		}
		rdns = append(rdns, strings.Join(attrs, "+"))
	}
	return strings.Join(rdns, ",")
}

// Tunnel is one IKEv2 tunnel of a profile as the device would run it,
// mapped to strongSwan terms. Read it with ReadProfile.
type Tunnel struct {
	// Name names the tunnel in connection names: the VPN's name, plus the
	// interfaces of an always-on tunnel.
	Name string
	// Interfaces are the interfaces of an always-on tunnel (Cellular, WiFi).
	Interfaces []string
	// Where is the key path of the tunnel's dictionary, for messages:
	// "IKEv2" or "AlwaysOn.TunnelConfigurations[0]".
	Where string

	RemoteAddress string
	// RemoteID and LocalID are RemoteIdentifier and LocalIdentifier as
	// strongSwan identities (see iosIdentity); LocalID is empty when the
	// profile's LocalIdentifier is.
	RemoteID, LocalID string
	// RemoteIdentifier and LocalIdentifier are the values as the profile
	// has them.
	RemoteIdentifier, LocalIdentifier string

	Auth Auth
	// SharedSecret is the IKE pre-shared key (SharedSecret).
	SharedSecret string
	// EAPUser and EAPPassword are AuthName and AuthPassword.
	EAPUser, EAPPassword string
	// Identity is the client certificate and key (certificate
	// authentication or EAP-TLS); nil when the profile does not carry it.
	Identity *Identity
	// IdentityRef is PayloadCertificateUUID; IdentityProblem says why the
	// identity could not be read from the profile (an SCEP or ACME payload,
	// a payload outside the profile, a PKCS#12 password the profile does not
	// hold).
	IdentityRef, IdentityProblem string
	// Enrollment is the SCEP payload the identity comes from on the device,
	// when PayloadCertificateUUID names one (Identity is then the one given
	// in ReadOptions.Identity, if any).
	Enrollment *Enrollment
	// IdentityMismatch says how a given identity differs from what
	// Enrollment would obtain (subject, key size, issuing CA).
	IdentityMismatch []string
	// CertificateType is the key type of the identity (RSA, ECDSA256, ...).
	CertificateType string
	// TrustAnchors are the certificates of the profile's certificate
	// payloads (root, pkcs1, pem): the CAs the device trusts for the server.
	TrustAnchors []*x509.Certificate
	// ServerCertCN and ServerIssuerCN are ServerCertificateCommonName and
	// ServerCertificateIssuerCommonName.
	ServerCertCN, ServerIssuerCN string
	// CertRequest: the device sends a certificate request only when
	// ServerCertificateIssuerCommonName is set.
	CertRequest bool
	// RevocationCheck is EnableCertificateRevocationCheck.
	RevocationCheck bool

	// IKE and ESP are the proposals the device sends, in order.
	IKE, ESP []Proposal
	// DefaultProposals is set when the profile has no security association
	// parameters and the defaults of iOS version IOS apply.
	DefaultProposals *DefaultProposals
	IOS              string
	// IKEParams and ChildParams are the profile's parameters with Apple's
	// defaults filled in (nil when DefaultProposals applies).
	IKEParams, ChildParams *SAParams
	// IKELifetime and ChildLifetime are LifeTimeInMinutes.
	IKELifetime, ChildLifetime time.Duration
	// PFS is EnablePFS: CHILD_SA rekeying uses a DH exchange.
	PFS bool
	// PostQuantumFallback is AllowPostQuantumKeyExchangeFallback.
	PostQuantumFallback bool

	// DPD is the dead peer detection interval (DeadPeerDetectionRate); 0
	// is None.
	DPD time.Duration
	// MOBIKE is the inverse of DisableMOBIKE.
	MOBIKE bool
	// FollowRedirect is the inverse of DisableRedirect.
	FollowRedirect bool
	// NATKeepAlive is NATKeepAliveInterval (0: the device default, 20 s on
	// Wi-Fi and 110 s on cellular).
	NATKeepAlive time.Duration
	// TLSMin and TLSMax are TLSMinimumVersion and TLSMaximumVersion (EAP-TLS).
	TLSMin, TLSMax string
	// InternalSubnet is UseConfigurationAttributeInternalIPSubnet: the
	// device routes the INTERNAL_IP4/6_SUBNET attributes the server sends.
	InternalSubnet bool
	// PPK, PPKID and PPKRequired are PPK, PPKIdentifier and PPKMandatory
	// (RFC 8784 post-quantum preshared key).
	PPK         []byte
	PPKID       string
	PPKRequired bool

	// FullTunnel reports that the device sends all its traffic through the
	// tunnel; FullTunnelBecause names the key that says so.
	FullTunnel        bool
	FullTunnelBecause string
	// MTU is the MTU key (0 when absent).
	MTU int

	// Notes are facts about keys this tunnel has that dial cannot show on a
	// Linux host (on-demand rules, disconnect on idle, traffic exclusions).
	Notes []string
}

// ServerOptions are the server side of a configuration that a profile does
// not say: address pools, DNS servers, the networks of a split tunnel,
// the server's certificate files and credentials for secrets.
type ServerOptions struct {
	// Pools are the virtual IP pools (at least one IPv4 or IPv6 prefix).
	Pools []netip.Prefix
	// DNS are the DNS servers given to clients.
	DNS []netip.Addr
	// SplitNetworks are the networks a split tunnel reaches; required for a
	// profile that does not send all traffic through the tunnel.
	SplitNetworks []netip.Prefix
	// ServerCert and ServerKey are the file names of the server's
	// certificate (x509/) and private key (private/) in the swanctl
	// folder, or absolute paths.
	ServerCert, ServerKey string
	// ServerCertificate is the parsed server certificate when the caller
	// could read ServerCert; it is checked against what the device expects.
	ServerCertificate *x509.Certificate
	// ClientCA is the file name (x509ca/) of the CA that issues client
	// certificates; when set, the connection accepts only that CA.
	ClientCA string
	// ClientCACertificate is the parsed client CA when the caller could
	// read ClientCA; it is checked against the profile's identity, or for a
	// SCEP identity against the profile's CA certificates.
	ClientCACertificate *x509.Certificate
	// IncludeSecrets writes the shared secret, EAP password and PPK into the
	// configuration; without it they are placeholders.
	IncludeSecrets bool
	// EAPUser and EAPPassword are an EAP account to write when the profile
	// holds none.
	EAPUser, EAPPassword string
	// ConnectionName names the connection ("" derives one from the VPN's
	// name).
	ConnectionName string
	// Hints, when set, says the remedies that lie in these options in the
	// caller's own words (see HintCodes), in the warnings, the errors and
	// the configuration's comments; nil keeps the Go API's.
	Hints diag.HintFunc
}
