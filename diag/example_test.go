package diag_test

import (
	"fmt"

	"github.com/graph2mobileconfig/graph2mobileconfig/diag"
)

// WithHints puts the remedies that lie in the options in a program's own
// words, from their codes; the messages stay as they are.
func ExampleList_WithHints() {
	l := diag.List{{
		Severity: diag.Error, Code: "unresolved-variable", Path: "$.localIdentifier", Key: "IKEv2.LocalIdentifier",
		Message: "the variable {{devicefqdn}} in IKEv2.LocalIdentifier has no value",
		Hint:    diag.Hint{Code: diag.HintVar, Arg: "devicefqdn", Text: `set compiler.Options.Vars["devicefqdn"]`},
	}}
	fmt.Println(l)
	cli := l.WithHints(func(h diag.Hint) string {
		if h.Code == diag.HintVar {
			return "give --var " + h.Arg + "=VALUE"
		}
		return ""
	})
	fmt.Println(cli)
	// Output:
	// error: $.localIdentifier: the variable {{devicefqdn}} in IKEv2.LocalIdentifier has no value; set compiler.Options.Vars["devicefqdn"]
	// error: $.localIdentifier: the variable {{devicefqdn}} in IKEv2.LocalIdentifier has no value; give --var devicefqdn=VALUE
}
