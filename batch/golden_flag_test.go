package batch

// The -update flag must exist in every test binary, since the golden files
// are refreshed with "go test ./... -update".
import _ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
