package graphjson_test

import (
	"os"
	"path/filepath"
	"testing"
)

func readFixture(t *testing.T, name string) []byte { return readFixtureB(t, name) }

func readFixtureB(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", name, "input.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
