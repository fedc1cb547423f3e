package nanomdmtest_test

// Every test binary defines -update, so that "go test ./... -update" works.
import _ "github.com/graph2mobileconfig/graph2mobileconfig/internal/golden"
