package graphjson

// This file is the Graph (beta) model of the Intune certificate profiles an
// IKEv2 VPN relies on: the client identity (iosScepCertificateProfile or
// iosPkcsCertificateProfile, linked from the VPN as identityCertificate) and
// the trusted root (iosTrustedRootCertificate, linked from the SCEP profile
// as rootCertificate). Names, types and enum members are those of the Graph
// beta metadata (msgraph-metadata type mappings and the beta Go SDK); see
// docs/MAPPING.md for the sources. The struct tags follow model.go.
//
// Enums whose CSDL values are not 0, 1, 2, … in member order, and the two
// flag enums (keyUsages, subjectAlternativeNameType: several members joined
// with commas on the wire, "keyEncipherment,digitalSignature"), are strings
// checked after decoding (see checkCertificateValues), because the generic
// enum decoder reads a member's number as its position.

// IosCertificateProfile is microsoft.graph.iosCertificateProfile (abstract):
// it adds nothing to deviceConfiguration.
type IosCertificateProfile struct {
	DeviceConfiguration
}

// IosCertificateProfileBase is microsoft.graph.iosCertificateProfileBase
// (abstract): the settings SCEP and PKCS profiles share.
type IosCertificateProfileBase struct {
	IosCertificateProfile
	CertificateValidityPeriodScale *CertificateValidityPeriodScale `graph:"certificateValidityPeriodScale"`
	CertificateValidityPeriodValue *int32                          `graph:"certificateValidityPeriodValue"`
	RenewalThresholdPercentage     *int32                          `graph:"renewalThresholdPercentage,range=1:99"`
	SubjectAlternativeNameType     *SubjectAlternativeNameType     `graph:"subjectAlternativeNameType"`
	SubjectNameFormat              *AppleSubjectNameFormat         `graph:"subjectNameFormat"`
}

// IosScepCertificateProfile is microsoft.graph.iosScepCertificateProfile: the
// device enrolls its own key pair with a SCEP server. Its rootCertificate
// relationship (an IosTrustedRootCertificate) is read separately when it is
// expanded inline.
type IosScepCertificateProfile struct {
	IosCertificateProfileBase
	CertificateStore                   *CertificateStore              `graph:"certificateStore"`
	CustomSubjectAlternativeNames      []CustomSubjectAlternativeName `graph:"customSubjectAlternativeNames,max=500"`
	ExtendedKeyUsages                  []ExtendedKeyUsage             `graph:"extendedKeyUsages,max=500"`
	KeySize                            *KeySize                       `graph:"keySize"`
	KeyUsage                           *KeyUsages                     `graph:"keyUsage"`
	ScepServerUrls                     []string                       `graph:"scepServerUrls"`
	SubjectAlternativeNameFormatString *string                        `graph:"subjectAlternativeNameFormatString"`
	SubjectNameFormatString            *string                        `graph:"subjectNameFormatString"`
}

// IosPkcsCertificateProfile is microsoft.graph.iosPkcsCertificateProfile:
// Intune's certificate connector requests the certificate from a Microsoft
// CA and delivers it to the device as a PFX.
type IosPkcsCertificateProfile struct {
	IosCertificateProfileBase
	CertificateStore                   *CertificateStore              `graph:"certificateStore"`
	CertificateTemplateName            *string                        `graph:"certificateTemplateName"`
	CertificationAuthority             *string                        `graph:"certificationAuthority"`
	CertificationAuthorityName         *string                        `graph:"certificationAuthorityName"`
	CustomSubjectAlternativeNames      []CustomSubjectAlternativeName `graph:"customSubjectAlternativeNames,max=500"`
	SubjectAlternativeNameFormatString *string                        `graph:"subjectAlternativeNameFormatString"`
	SubjectNameFormatString            *string                        `graph:"subjectNameFormatString"`
}

// IosTrustedRootCertificate is microsoft.graph.iosTrustedRootCertificate:
// a CA certificate the device is to trust.
type IosTrustedRootCertificate struct {
	DeviceConfiguration
	CertFileName *string `graph:"certFileName"`
	// TrustedRootCertificate is the certificate file as uploaded (Edm.Binary,
	// base64 on the wire); it is checked to be base64 after decoding.
	TrustedRootCertificate *Binary `graph:"trustedRootCertificate"`
}

// CustomSubjectAlternativeName is microsoft.graph.customSubjectAlternativeName:
// one subject alternative name with Intune {{variables}} in its value.
type CustomSubjectAlternativeName struct {
	Name    *string                     `graph:"name"`
	SanType *SubjectAlternativeNameType `graph:"sanType"`
}

// ExtendedKeyUsage is microsoft.graph.extendedKeyUsage.
type ExtendedKeyUsage struct {
	Name             *string `graph:"name"`
	ObjectIdentifier *string `graph:"objectIdentifier"`
}

// Binary is an Edm.Binary value as it travels in JSON: base64 text.
type Binary string

// EdmType returns "Edm.Binary".
func (Binary) EdmType() string { return "Edm.Binary" }

// KeySize is the Graph enum keySize: the RSA key size of a SCEP certificate.
type KeySize string

// GraphEnum returns the Graph enum name and its members in value order.
func (KeySize) GraphEnum() (string, []string) {
	return "keySize", []string{"size1024", "size2048", "size4096"}
}

// Members of KeySize.
const (
	KeySize1024 KeySize = "size1024"
	KeySize2048 KeySize = "size2048"
	KeySize4096 KeySize = "size4096"
)

// CertificateValidityPeriodScale is the Graph enum
// certificateValidityPeriodScale: the unit of certificateValidityPeriodValue.
type CertificateValidityPeriodScale string

// GraphEnum returns the Graph enum name and its members in value order.
func (CertificateValidityPeriodScale) GraphEnum() (string, []string) {
	return "certificateValidityPeriodScale", []string{"days", "months", "years"}
}

// Members of CertificateValidityPeriodScale.
const (
	ValidityDays   CertificateValidityPeriodScale = "days"
	ValidityMonths CertificateValidityPeriodScale = "months"
	ValidityYears  CertificateValidityPeriodScale = "years"
)

// AppleSubjectNameFormat is the Graph enum appleSubjectNameFormat (CSDL
// values 0, 1, 2, 3, 5, 6): how Intune builds the certificate subject.
type AppleSubjectNameFormat string

// EdmType returns "appleSubjectNameFormat".
func (AppleSubjectNameFormat) EdmType() string { return "appleSubjectNameFormat" }

// Members of AppleSubjectNameFormat.
const (
	SubjectCommonName               AppleSubjectNameFormat = "commonName"
	SubjectCommonNameAsEmail        AppleSubjectNameFormat = "commonNameAsEmail"
	SubjectCustom                   AppleSubjectNameFormat = "custom"
	SubjectCommonNameIncludingEmail AppleSubjectNameFormat = "commonNameIncludingEmail"
	SubjectCommonNameAsIMEI         AppleSubjectNameFormat = "commonNameAsIMEI"
	SubjectCommonNameAsSerialNumber AppleSubjectNameFormat = "commonNameAsSerialNumber"
)

// CertificateStore is the Graph enum certificateStore (CSDL values 1, 2).
type CertificateStore string

// EdmType returns "certificateStore".
func (CertificateStore) EdmType() string { return "certificateStore" }

// Members of CertificateStore.
const (
	CertificateStoreUser    CertificateStore = "user"
	CertificateStoreMachine CertificateStore = "machine"
)

// KeyUsages is the Graph flag enum keyUsages: keyEncipherment (1) and
// digitalSignature (2), joined with commas when both are set.
type KeyUsages string

// EdmType returns "keyUsages".
func (KeyUsages) EdmType() string { return "keyUsages" }

// Members of KeyUsages.
const (
	KeyUsageKeyEncipherment  = "keyEncipherment"
	KeyUsageDigitalSignature = "digitalSignature"
)

// Has reports whether the flag member is set.
func (k KeyUsages) Has(member string) bool { return hasFlag(string(k), member) }

// SubjectAlternativeNameType is the Graph flag enum subjectAlternativeNameType:
// none (0), emailAddress (1), userPrincipalName (2), customAzureADAttribute
// (4), domainNameService (8), universalResourceIdentifier (16).
type SubjectAlternativeNameType string

// EdmType returns "subjectAlternativeNameType".
func (SubjectAlternativeNameType) EdmType() string { return "subjectAlternativeNameType" }

// Members of SubjectAlternativeNameType.
const (
	SANNone                        = "none"
	SANEmailAddress                = "emailAddress"
	SANUserPrincipalName           = "userPrincipalName"
	SANCustomAzureADAttribute      = "customAzureADAttribute"
	SANDomainNameService           = "domainNameService"
	SANUniversalResourceIdentifier = "universalResourceIdentifier"
)

// Has reports whether the flag member is set.
func (s SubjectAlternativeNameType) Has(member string) bool { return hasFlag(string(s), member) }

// Members returns the flag members that are set, in the order written.
func (s SubjectAlternativeNameType) Members() []string { return splitFlags(string(s)) }

// GraphType returns "iosCertificateProfile".
func (IosCertificateProfile) GraphType() string { return "iosCertificateProfile" }

// GraphType returns "iosCertificateProfileBase".
func (IosCertificateProfileBase) GraphType() string { return "iosCertificateProfileBase" }

// GraphType returns "iosScepCertificateProfile".
func (IosScepCertificateProfile) GraphType() string { return "iosScepCertificateProfile" }

// GraphType returns "iosPkcsCertificateProfile".
func (IosPkcsCertificateProfile) GraphType() string { return "iosPkcsCertificateProfile" }

// GraphType returns "iosTrustedRootCertificate".
func (IosTrustedRootCertificate) GraphType() string { return "iosTrustedRootCertificate" }

// GraphType returns "customSubjectAlternativeName".
func (CustomSubjectAlternativeName) GraphType() string { return "customSubjectAlternativeName" }

// GraphType returns "extendedKeyUsage".
func (ExtendedKeyUsage) GraphType() string { return "extendedKeyUsage" }

// checkedEnums lists the members of the enums that are decoded as strings
// and checked afterwards, in CSDL value order, with whether they are flags.
var checkedEnums = map[string]struct {
	members []string
	flags   bool
}{
	"appleSubjectNameFormat":     {[]string{"commonName", "commonNameAsEmail", "custom", "commonNameIncludingEmail", "commonNameAsIMEI", "commonNameAsSerialNumber"}, false},
	"certificateStore":           {[]string{"user", "machine"}, false},
	"keyUsages":                  {[]string{KeyUsageKeyEncipherment, KeyUsageDigitalSignature}, true},
	"subjectAlternativeNameType": {[]string{SANNone, SANEmailAddress, SANUserPrincipalName, SANCustomAzureADAttribute, SANDomainNameService, SANUniversalResourceIdentifier}, true},
}
