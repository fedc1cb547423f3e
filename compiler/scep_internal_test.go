package compiler

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubject(t *testing.T) {
	a := func(oid, v string) rdnAttribute { return rdnAttribute{oid, v} }
	cases := []struct {
		in   string
		want [][]rdnAttribute
		err  string
	}{
		{in: "CN={{UserName}},E={{EmailAddress}},OU=Mobile,O=Finance Group,L=Redmond,ST=Washington,C=US", want: [][]rdnAttribute{
			{a("CN", "{{UserName}}")}, {a("1.2.840.113549.1.9.1", "{{EmailAddress}}")}, {a("OU", "Mobile")}, {a("O", "Finance Group")},
			{a("L", "Redmond")}, {a("ST", "Washington")}, {a("C", "US")},
		}},
		{in: ` cn = a ; s=WA;dc=corp ,  DC=contoso`, want: [][]rdnAttribute{{a("CN", "a")}, {a("ST", "WA")}, {a("0.9.2342.19200300.100.1.25", "corp")}, {a("0.9.2342.19200300.100.1.25", "contoso")}}},
		{in: `CN="{{OnPrem_Distinguished_Name}}"`, want: [][]rdnAttribute{{a("CN", "{{OnPrem_Distinguished_Name}}")}}},
		{in: `OU="Sales, North; ""West"" + East",O=X`, want: [][]rdnAttribute{{a("OU", `Sales, North; "West" + East`)}, {a("O", "X")}}},
		{in: `CN=a+UID=b+SERIALNUMBER=c,O=d`, want: [][]rdnAttribute{{a("CN", "a"), a("0.9.2342.19200300.100.1.1", "b"), a("2.5.4.5", "c")}, {a("O", "d")}}},
		{in: `OID.1.2.3.4=x,2.5.4.12=Engineer,T=Boss,G=Jane,SN=Doe,I=J,STREET=1 Main St`, want: [][]rdnAttribute{
			{a("1.2.3.4", "x")}, {a("2.5.4.12", "Engineer")}, {a("2.5.4.12", "Boss")}, {a("2.5.4.42", "Jane")}, {a("2.5.4.4", "Doe")}, {a("2.5.4.43", "J")}, {a("2.5.4.9", "1 Main St")},
		}},
		{in: `CN=a\,b`, err: "backslash"},
		{in: `XX=a`, err: "not an attribute name"},
		{in: `CN=`, err: "empty value"},
		{in: `CN=a,`, err: "ends with a separator"},
		{in: `CN=a,O`, err: "no NAME=VALUE"},
		{in: `=a`, err: "no name"},
		{in: `CN="a`, err: "no closing quote"},
		{in: `CN="a" b`, err: "text after the quoted value"},
		{in: `1.2=x,1..2=y`, err: "not an attribute name"},
	}
	for _, tc := range cases {
		got, err := parseSubject(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseSubject(%q): err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSubject(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
